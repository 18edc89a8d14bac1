// Filled in by the datasets work of issue #5.
export {};
