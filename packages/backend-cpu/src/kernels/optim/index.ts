// CPU kernels of the fused optimizer steps, registered on import.
import { registerKernel } from '@torchts/core';
import { adamStepKernel, sgdStepKernel } from './steps.js';
registerKernel('sgd_step_', 'cpu', sgdStepKernel);
registerKernel('adam_step_', 'cpu', adamStepKernel);
