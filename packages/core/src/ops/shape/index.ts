// Ops of the 'shape' family (filled in by its implementer).
export {};
