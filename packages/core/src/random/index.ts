/** The PRNG (PyTorch's MT19937 CPU generator) and the samplers kernels draw with. */
export { MT19937 } from './mt19937.js';
export {
  Generator, DEFAULT_SEED, defaultGenerator, manualSeed, seed, initialSeed, getRngState, setRngState,
  generatorOf, nondeterministicSeed,
} from './generator.js';
/** Draw-for-draw PyTorch samplers, for backends' random kernels (`samplers.fillUniform(...)`). */
export * as samplers from './distributions.js';
