/**
 * @torchts/vision — torchvision for torchts: datasets that read the real file formats, image IO
 * through sharp, transforms on tensors, detection ops, image utilities and torchvision's model
 * architectures with torchvision's state_dict keys.
 */
export * as io from './io/index.js';
export * as transforms from './transforms/index.js';
export * as datasets from './datasets/index.js';
export * as ops from './ops/index.js';
export * as utils from './utils/index.js';
export * as models from './models/index.js';
