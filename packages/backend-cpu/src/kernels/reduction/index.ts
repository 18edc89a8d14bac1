// CPU kernels of the 'reduction' family, registered on import.
export {};
