/**
 * @torchts/backend-cpu: the 'cpu' device. Importing this module registers the device (its heap)
 * and its kernels with @torchts/core's dispatcher.
 */
import { registerBackend, registerFamily, registerKernel } from '@torchts/core';
import { CpuHeap } from './heap.js';
import { binaryKernel, ternaryKernel, unaryKernel } from './kernels/elementwise.js';
import { copyKernel, fillKernel } from './kernels/copy.js';

export const heap = new CpuHeap();
registerBackend(heap);

registerFamily('cpu', 'unary', unaryKernel);
registerFamily('cpu', 'binary', binaryKernel);
registerFamily('cpu', 'ternary', ternaryKernel);
registerKernel('copy_', 'cpu', copyKernel);
registerKernel('fill_', 'cpu', fillKernel);

// Each family's kernels register themselves on import.
import './kernels/reduction/index.js';
import './kernels/linalg/index.js';
import './kernels/shape/index.js';
import './kernels/indexing/index.js';
import './kernels/random/index.js';

export { CpuHeap, sizeClass } from './heap.js';
import './kernels/nn/index.js';
