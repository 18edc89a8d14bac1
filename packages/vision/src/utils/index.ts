// Filled in by the utils work of issue #5.
export {};
