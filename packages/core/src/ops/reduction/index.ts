// Ops of the 'reduction' family (filled in by its implementer).
export {};
