/**
 * @torchts/autograd: reverse-mode automatic differentiation with PyTorch's semantics, installed
 * as the Autograd layer of core's dispatcher when this module is imported.
 */
import { installAutogradLayer } from './layer.js';
import './tensor-api.js';
import './derivatives/index.js';

installAutogradLayer();

export { noGrad, enableGrad, setGradEnabled, isGradEnabled, inferenceMode, isInferenceModeEnabled } from './grad-mode.js';
export { backward, grad } from './engine.js';
export type { BackwardOptions, GradOptions } from './engine.js';
export { Node, AccumulateGrad } from './node.js';
export { defineDerivative, derivativeOf, definedDerivatives } from './registry.js';
export type { DerivativeSpec, BackwardContext } from './registry.js';
export { detectAnomaly, setDetectAnomaly } from './anomaly.js';
export { gradcheck, gradgradcheck } from './gradcheck.js';
export type { GradcheckOptions } from './gradcheck.js';
export type { RemovableHandle } from './tensor-api.js';
export { Function, FunctionCtx, FunctionNode } from './function.js';
export { checkpoint } from './checkpoint.js';
export type { CheckpointOptions } from './checkpoint.js';
export * as func from './func/index.js';
