// CPU kernels of the 'indexing' family, registered on import.
export {};
