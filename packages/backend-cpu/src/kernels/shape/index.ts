// CPU kernels of the 'shape' family, registered on import.
export {};
