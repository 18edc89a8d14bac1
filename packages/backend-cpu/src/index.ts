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

export { CpuHeap, sizeClass } from './heap.js';
