// CPU kernels of the 'linalg' family, registered on import. Every matrix product in core
// reduces to the one `_gemm` primitive (see gemm.ts for the array-level contract).
import { registerKernel } from '@torchts/core';
import { gemmKernel } from './batched.js';

registerKernel('_gemm', 'cpu', gemmKernel);
