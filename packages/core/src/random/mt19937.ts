/**
 * MT19937, the engine behind PyTorch's CPU generator (at::mt19937): the same seeding (low 32 bits
 * of the seed, Knuth's multiplier), the same lazy refill (`left`/`next`) and the same tempering, so
 * a seeded torchts generator yields PyTorch's CPU stream of 32-bit words.
 */
const N = 624;
const M = 397;
// As int32 constants: the state lives in an Int32Array so V8 keeps every word a small integer.
const MATRIX_A = 0x9908b0df | 0;
const UMASK = 0x80000000 | 0;
const LMASK = 0x7fffffff;
const TEMPER_B = 0x9d2c5680 | 0;
const TEMPER_C = 0xefc60000 | 0;

export class MT19937 {
  /** The raw state words (untempered), as int32 bit patterns. */
  readonly state = new Int32Array(N);
  /** Words left before the next refill; 1 right after seeding (PyTorch's `left_`). */
  left = 1;
  /** Index of the next word to temper (PyTorch's `next_`). */
  next = 0;

  constructor(seed = 5489) {
    this.seed(seed);
  }

  /** Seeds with the low 32 bits of `seed` (a number below 2^64 or its low word). */
  seed(low32: number): void {
    const s = this.state;
    s[0] = low32 | 0;
    for (let j = 1; j < N; j++) {
      const prev = s[j - 1]! ^ (s[j - 1]! >>> 30);
      // 1812433253 * prev + j, modulo 2^32, without losing bits to doubles.
      s[j] = (Math.imul(1812433253, prev) + j) | 0;
    }
    this.left = 1;
    this.next = 0;
  }

  /** Whether the state could come from seeding (PyTorch's `is_valid`). */
  isValid(): boolean {
    return this.left > 0 && this.left <= N && this.next <= N;
  }

  private refill(): void {
    const s = this.state;
    this.left = N;
    this.next = 0;
    let p = 0;
    for (; p < N - M; p++) s[p] = s[p + M]! ^ twist(s[p]!, s[p + 1]!);
    for (; p < N - 1; p++) s[p] = s[p + M - N]! ^ twist(s[p]!, s[p + 1]!);
    s[p] = s[p + M - N]! ^ twist(s[p]!, s[0]!);
  }

  /** The next tempered 32-bit word, as an unsigned number. */
  nextU32(): number {
    if (--this.left === 0) this.refill();
    let y = this.state[this.next++]!;
    y ^= y >>> 11;
    y ^= (y << 7) & TEMPER_B;
    y ^= (y << 15) & TEMPER_C;
    y ^= y >>> 18;
    return y >>> 0;
  }

  /**
   * Fills `out[0..n)` with consecutive words (the same words `n` calls of nextU32 give); an
   * Int32Array receives their bit patterns (read them with `>>> 0`).
   */
  fillU32(out: Uint32Array | Int32Array, n: number): void {
    const s = this.state;
    let i = 0;
    while (i < n) {
      if (--this.left === 0) this.refill();
      // Temper as many words as remain in this block without re-checking `left` each time.
      const take = Math.min(n - i, this.left);
      let k = this.next;
      for (let j = 0; j < take; j++) {
        let y = s[k++]!;
        y ^= y >>> 11;
        y ^= (y << 7) & TEMPER_B;
        y ^= (y << 15) & TEMPER_C;
        y ^= y >>> 18;
        out[i + j] = y;
      }
      this.next = k;
      this.left -= take - 1;
      i += take;
    }
  }

  copyFrom(other: MT19937): void {
    this.state.set(other.state);
    this.left = other.left;
    this.next = other.next;
  }
}

function twist(u: number, v: number): number {
  const mixed = (u & UMASK) | (v & LMASK);
  return (mixed >>> 1) ^ (v & 1 ? MATRIX_A : 0);
}

export const MT_STATE_WORDS = N;
