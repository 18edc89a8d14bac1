// Filled in by the transforms work of issue #5.
export {};
