// Filled in by the io work of issue #5.
export {};
