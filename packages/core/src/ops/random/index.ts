// Ops of the 'random' family: generators, in-place fills, random creation and sampling.
export * from '../../random/index.js';
export {
  uniformOp, normalOp, randomOp, bernoulliOp, exponentialOp, geometricOp, cauchyOp, logNormalOp,
} from './inplace.js';
export type { RandomSpec } from './inplace.js';
export {
  rand, randn, randint, randperm, randLike, randnLike, randintLike, normal, bernoulli, multinomial, randpermOp, multinomialOp,
} from './sampling.js';
export type { RandomOptions } from './sampling.js';
export type { GeneratorOptions } from './checks.js';
