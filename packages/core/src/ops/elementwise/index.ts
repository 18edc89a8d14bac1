// Elementwise math beyond arithmetic.ts (filled in by its implementer).
export * from './arithmetic.js';
