/** @torchts/nn: modules, layers, losses, initialisation and functional ops. */
export { Module } from './module.js';
export type { LoadResult, StateDict } from './module.js';
export { Parameter, isParameter } from './parameter.js';
