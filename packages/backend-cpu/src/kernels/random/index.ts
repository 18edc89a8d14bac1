// CPU kernels of the 'random' family, registered on import.
export {};
