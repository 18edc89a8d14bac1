// Filled in by the models work of issue #5.
export {};
