// Ops of the 'indexing' family (filled in by its implementer).
export {};
