// CPU kernels of the 'linalg' family, registered on import.
export {};
