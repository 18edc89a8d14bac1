// Filled in by the ops work of issue #5.
export {};
