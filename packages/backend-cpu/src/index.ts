/**
 * @torchts/backend-cpu: the 'cpu' device. Importing this module registers the device (its heap)
 * and its kernels with @torchts/core's dispatcher.
 */
import { registerBackend, registerFamily, registerKernel } from '@torchts/core';
import { heap } from './device.js';
import { binaryKernel, ternaryKernel, unaryKernel } from './kernels/elementwise.js';
import { copyKernel, fillKernel } from './kernels/copy.js';
import { installSimd } from './wasm/simd.js';
import { simdBinary, simdTernary, simdUnary } from './wasm/elementwise.js';
import { simdIntBinary, simdIntTernary, simdIntUnary } from './wasm/elementwise-int.js';

export { heap };
registerBackend(heap);
installSimd(heap);

// Elementwise ops take the wasm SIMD kernels where they apply (float computes, then integer ones),
// the TS ones otherwise.
registerFamily('cpu', 'unary', (op) => simdUnary(op, simdIntUnary(op, unaryKernel(op))));
registerFamily('cpu', 'binary', (op) => simdBinary(op, simdIntBinary(op, binaryKernel(op))));
registerFamily('cpu', 'ternary', (op) => simdTernary(op, simdIntTernary(op, ternaryKernel(op))));
registerKernel('copy_', 'cpu', copyKernel);
registerKernel('fill_', 'cpu', fillKernel);

// Each family's kernels register themselves on import.
import './kernels/reduction/index.js';
import './kernels/linalg/index.js';
import './kernels/shape/index.js';
import './kernels/indexing/index.js';
import './kernels/random/index.js';

export { CpuHeap, sizeClass } from './heap.js';
export { cpuKernels, getNumThreads, setCpuKernels, setNumThreads } from './wasm/simd.js';
export type { CpuKernels, CpuKernelsChoice } from './wasm/simd.js';
import './kernels/nn/index.js';
import './kernels/optim/index.js';
