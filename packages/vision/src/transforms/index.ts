/** torchvision.transforms for torchts: transforms of tensor images, and their functional forms. */
export * as functional from './functional/index.js';
export { InterpolationMode } from './functional/index.js';
