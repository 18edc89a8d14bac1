// Ops of the 'random' family (filled in by its implementer).
export {};
