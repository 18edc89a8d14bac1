// Ops of the 'linalg' family (filled in by its implementer).
export {};
