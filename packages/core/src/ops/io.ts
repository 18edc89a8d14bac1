// Core-level misc: printing, npy, typed arrays (filled in by its implementer).
export {};
