// The CPU device's one heap, in a module of its own so that kernels can reach it (for wasm
// workspaces) without importing the package entry.
import { CpuHeap } from './heap.js';

export const heap = new CpuHeap();
