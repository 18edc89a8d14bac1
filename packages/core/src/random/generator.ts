/**
 * Random number generators: `torch.Generator` and the default generator.
 *
 * A Generator is PyTorch's CPU generator: an MT19937 engine plus the cached second Box-Muller
 * sample. Seeding, the 32-bit word stream and the state bytes (`getState`, 5056 bytes laid out as
 * PyTorch's CPUGeneratorImplState) are PyTorch's, so `torch.manualSeed(s)` followed by `rand`,
 * `randint`, `randperm`, `bernoulli`, `multinomial` or double-precision `randn` reproduces
 * PyTorch's CPU values, and states move between the two (`torch.get_rng_state().numpy()`).
 * float32 normals match to float rounding only (PyTorch uses vectorised log/sin/cos there).
 */
import { RuntimeError } from '../errors.js';
import { MT19937, MT_STATE_WORDS } from './mt19937.js';

/** PyTorch's `default_rng_seed_val`. */
export const DEFAULT_SEED = 67280421310721n;

/** Bytes of PyTorch's CPUGeneratorImplState (current) and CPUGeneratorImplStateLegacy. */
const STATE_BYTES = 5056;
const LEGACY_STATE_BYTES = 5048;
// Field offsets inside the state (x86-64 layout of the C struct).
const OFF_LEFT = 8;
const OFF_SEEDED = 12;
const OFF_NEXT = 16;
const OFF_WORDS = 24;
const OFF_NORMAL_X = OFF_WORDS + 8 * MT_STATE_WORDS; // 5016
const OFF_NORMAL_Y = OFF_NORMAL_X + 8;
const OFF_NORMAL_RHO = OFF_NORMAL_Y + 8;
const OFF_NORMAL_VALID = OFF_NORMAL_RHO + 8; // 5040
const OFF_FLOAT_NORMAL = 5048;
const OFF_FLOAT_NORMAL_VALID = 5052;

const TWO64 = 1n << 64n;

/** A seed as PyTorch's uint64: integers in [-2^63, 2^64), negative ones wrapping around. */
function toSeed(seed: number | bigint): bigint {
  let s: bigint;
  if (typeof seed === 'bigint') s = seed;
  else if (typeof seed === 'number' && Number.isFinite(seed)) s = BigInt(Math.trunc(seed));
  else throw new TypeError(`manual_seed expected an integer seed, got ${String(seed)}`);
  if (s < -(1n << 63n) || s >= TWO64) throw new RuntimeError('Overflow when unpacking long');
  return s < 0n ? s + TWO64 : s;
}

/** A 53-bit seed from the platform's entropy (53 bits, so `initialSeed()` returns it exactly). */
export function nondeterministicSeed(): number {
  const words = new Uint32Array(2);
  const c = (globalThis as { crypto?: { getRandomValues?(a: Uint32Array): Uint32Array } }).crypto;
  if (c?.getRandomValues) c.getRandomValues(words);
  else {
    words[0] = Math.floor(Math.random() * 2 ** 32);
    words[1] = Math.floor(Math.random() * 2 ** 32);
  }
  return (words[0]! & 0x1fffff) * 2 ** 32 + words[1]!;
}

export class Generator {
  /** The engine; kernels draw words from it. */
  readonly engine = new MT19937();
  /** The second Box-Muller sample of the last double-precision pair (PyTorch caches it). */
  nextDoubleNormal: number | null = null;
  /** PyTorch's float counterpart; kept for state round trips (no CPU kernel uses it). */
  nextFloatNormal: number | null = null;
  private seedValue = DEFAULT_SEED;
  readonly device: string;

  constructor(device: string | { device?: string } = 'cpu') {
    this.device = typeof device === 'string' ? device : device.device ?? 'cpu';
    this.manualSeed(DEFAULT_SEED);
  }

  /** Seeds the generator (integers in [-2^63, 2^64); negative seeds wrap as in PyTorch). */
  manualSeed(seed: number | bigint): this {
    const s = toSeed(seed);
    this.seedValue = s;
    this.engine.seed(Number(s & 0xffffffffn));
    this.nextDoubleNormal = null;
    this.nextFloatNormal = null;
    return this;
  }

  /** Seeds from the platform's entropy and returns the (53-bit) seed used. */
  seed(): number {
    const s = nondeterministicSeed();
    this.manualSeed(s);
    return s;
  }

  /** The seed last set. Seeds of 2^53 and above come back rounded to a double (`initialSeedBigInt` is exact). */
  initialSeed(): number {
    return Number(this.seedValue);
  }

  initialSeedBigInt(): bigint {
    return this.seedValue;
  }

  /** The next 32-bit word of the stream (PyTorch's `random()`). */
  random(): number {
    return this.engine.nextU32();
  }

  /** The state as PyTorch's 5056 state bytes (interchangeable with `torch.get_rng_state()`). */
  getState(): Uint8Array {
    const bytes = new Uint8Array(STATE_BYTES);
    const v = new DataView(bytes.buffer);
    v.setBigUint64(0, this.seedValue, true);
    v.setInt32(OFF_LEFT, this.engine.left, true);
    v.setInt32(OFF_SEEDED, 1, true);
    v.setBigUint64(OFF_NEXT, BigInt(this.engine.next), true);
    const words = this.engine.state;
    for (let i = 0; i < MT_STATE_WORDS; i++) v.setUint32(OFF_WORDS + 8 * i, words[i]! >>> 0, true);
    if (this.nextDoubleNormal !== null) {
      v.setFloat64(OFF_NORMAL_Y, this.nextDoubleNormal, true);
      v.setInt32(OFF_NORMAL_VALID, 1, true);
    }
    if (this.nextFloatNormal !== null) {
      v.setFloat32(OFF_FLOAT_NORMAL, this.nextFloatNormal, true);
      bytes[OFF_FLOAT_NORMAL_VALID] = 1;
    }
    return bytes;
  }

  /**
   * Restores a state from `getState()` (or PyTorch's `get_rng_state()` bytes, current or legacy
   * layout). Accepts a Uint8Array or anything with `toTypedArray()` giving one (a uint8 tensor).
   */
  setState(state: Uint8Array | { dtype?: string; toTypedArray(): unknown }): this {
    let bytes: Uint8Array;
    if (state instanceof Uint8Array) bytes = state;
    else if (state && typeof state === 'object' && typeof state.toTypedArray === 'function') {
      if (state.dtype !== 'uint8') throw new TypeError('RNG state must be a torch.ByteTensor');
      bytes = state.toTypedArray() as Uint8Array;
    } else throw new TypeError('RNG state must be a torch.ByteTensor or a Uint8Array');
    if (bytes.length !== STATE_BYTES && bytes.length !== LEGACY_STATE_BYTES) {
      throw new RuntimeError(
        `Expected either a CPUGeneratorImplStateLegacy of size ${LEGACY_STATE_BYTES} or a CPUGeneratorImplState of size ${STATE_BYTES} but found the input RNG state size to be ${bytes.length}`,
      );
    }
    const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const left = v.getInt32(OFF_LEFT, true);
    const seeded = v.getInt32(OFF_SEEDED, true) & 0xff;
    const next = Number(v.getBigUint64(OFF_NEXT, true) & 0xffffffffn);
    if (!seeded || left <= 0 || left > MT_STATE_WORDS || next > MT_STATE_WORDS) throw new RuntimeError('Invalid mt19937 state');
    let doubleNormal: number | null = null;
    let floatNormal: number | null = null;
    if (v.getInt32(OFF_NORMAL_VALID, true)) {
      if (bytes.length === STATE_BYTES) doubleNormal = v.getFloat64(OFF_NORMAL_Y, true);
      else {
        // The legacy layout stored the uniform pair's x and rho instead of the sample.
        const theta = 2 * Math.PI * v.getFloat64(OFF_NORMAL_X, true);
        doubleNormal = v.getFloat64(OFF_NORMAL_RHO, true) * Math.sin(theta);
      }
    }
    if (bytes.length === STATE_BYTES && bytes[OFF_FLOAT_NORMAL_VALID]) floatNormal = v.getFloat32(OFF_FLOAT_NORMAL, true);
    for (let i = 0; i < MT_STATE_WORDS; i++) this.engine.state[i] = v.getUint32(OFF_WORDS + 8 * i, true) | 0;
    this.engine.left = left;
    this.engine.next = next;
    this.seedValue = v.getBigUint64(0, true);
    this.nextDoubleNormal = doubleNormal;
    this.nextFloatNormal = floatNormal;
    return this;
  }

  /** An independent generator in the same state. */
  clone(): Generator {
    const g = new Generator(this.device);
    g.setState(this.getState());
    return g;
  }
}

/**
 * The generator used when an op gets no `generator` option. Like PyTorch's default CPU generator it
 * starts from a nondeterministic seed (call `torch.manualSeed` for reproducible runs); a
 * `new Generator()` starts from PyTorch's fixed default seed.
 */
export const defaultGenerator = new Generator();
defaultGenerator.seed();

/** `torch.manual_seed`: seeds the default generator and returns it. */
export function manualSeed(seed: number | bigint): Generator {
  return defaultGenerator.manualSeed(seed);
}

/** `torch.seed`: seeds the default generator nondeterministically and returns the seed. */
export function seed(): number {
  return defaultGenerator.seed();
}

/** `torch.initial_seed`: the default generator's seed. */
export function initialSeed(): number {
  return defaultGenerator.initialSeed();
}

/** `torch.get_rng_state`: the default generator's state bytes (PyTorch returns them as a ByteTensor). */
export function getRngState(): Uint8Array {
  return defaultGenerator.getState();
}

/** `torch.set_rng_state`. */
export function setRngState(state: Uint8Array | { dtype?: string; toTypedArray(): unknown }): void {
  defaultGenerator.setState(state);
}

/** The generator an op should use: the `generator` option, or the default one. */
export function generatorOf(opts: { generator?: Generator | null } | undefined): Generator {
  const g = opts?.generator;
  if (g === undefined || g === null) return defaultGenerator;
  if (!(g instanceof Generator)) throw new TypeError(`generator must be a torch.Generator, not ${typeof g}`);
  return g;
}
