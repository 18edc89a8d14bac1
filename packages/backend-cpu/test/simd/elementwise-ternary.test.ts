// addcmul, addcdiv, lerp and clamp with tensor bounds on the wasm SIMD ternary kernels
// (assembly/elementwise-ternary.ts) under both builds, against the TS kernels.
// Accuracy contract: bit-identical. The TS kernels evaluate core's formulas in float64 and round
// once when storing float32; the kernels widen float32 lanes to float64, do the same operations
// in the same order and round once (clamp's min/max are exact in float32), with no fused
// multiply-add. Checked with NaN, infinities, -0 and subnormals in every operand, lerp's weights
// at the 0.5 switch between its two forms and at 1, clamp with NaN bounds and min > max, for the
// layouts the wasm path takes (broadcast operands in each position, numbers and 0-d tensors,
// in-place, sliced and permuted outer dims) and those it leaves to TS (transposed inner dims,
// partial overlap, other dtypes, small tensors); identical bytes for 1, 2 and 3 threads.
import { afterAll, describe, it } from 'vitest';
import { addcdiv, addcmul, clamp, lerp, manualSeed, randn, tensor } from '@torchts/core';
import type { DType, Tensor } from '@torchts/core';
import { getNumThreads, setNumThreads } from '../../src/index.js';
import { BUILDS, expectIdentical, expectSameAsTs, expectSameBytesForThreads, specialValues, withKernels } from './helpers.js';

const DTYPES: DType[] = ['float32', 'float64'];
const initialThreads = getNumThreads();
afterAll(() => setNumThreads(initialThreads));

type Operand = Tensor | number;
type Ternary = (x: Operand, a: Operand, b: Operand) => Tensor;

// value 0.1 is rounded to float32 by core for float32 tensors; -1.7 is another rounding.
const OPS: [string, Ternary][] = [
  ['addcmul', (x, a, b) => addcmul(x as Tensor, a, b, { value: 0.1 })],
  ['addcdiv', (x, a, b) => addcdiv(x as Tensor, a, b, { value: -1.7 })],
  ['lerp', (x, a, b) => lerp(x as Tensor, a, b)],
  ['clamp', (x, a, b) => clamp(x as Tensor, a, b)],
];

/** The in-place forms, on a clone of `x` (each kernel choice gets its own). */
function inplace(name: string, x: Tensor, a: Operand, b: Operand): Tensor {
  if (name === 'addcmul') return x.addcmul_(a, b, { value: 0.1 });
  if (name === 'addcdiv') return x.addcdiv_(a, b, { value: -1.7 });
  if (name === 'lerp') return x.lerp_(a, b);
  return x.clamp_(a, b);
}

/**
 * The third operand for an op: lerp weights with 0.5, -0.5, 1, values just below 0.5 and
 * infinities or NaN among randn values; clamp's upper bounds mostly above its lower ones (which
 * are specialValues: NaN and min > max occur); specialValues for addcmul/addcdiv.
 */
function third(name: string, shape: number[], dtype: DType): Tensor {
  if (name === 'clamp') return specialValues(shape, dtype).abs().add(0.5);
  if (name !== 'lerp') return specialValues(shape, dtype);
  const w = randn(shape, { dtype });
  const special = tensor([0.5, -0.5, 1, 0.49999997, -0.49999999999999994, Number.NaN, Infinity, -0, 2, 0.5000001], { dtype });
  const flatW = w.flatten();
  const n = Math.min(special.numel(), flatW.numel());
  flatW.narrow(0, 0, n).copy_(special.narrow(0, 0, n));
  return w;
}

describe('wasm SIMD ternary ops vs TS (bit-identical)', () => {
  it('same-shape operands with special values, vector tails, numbers and 0-d tensors in each position', () => {
    manualSeed(41);
    for (const dtype of DTYPES) {
      for (const n of [256, 263, 1031]) {
        for (const [name, f] of OPS) {
          const x = specialValues([n], dtype).mul(3), a = specialValues([n], dtype).flip(0).contiguous(), b = third(name, [n], dtype);
          const zero = tensor(0.3, { dtype });
          expectSameAsTs(`${name} [${n}] ${dtype}`, () => f(x, a, b));
          expectSameAsTs(`${name} number second [${n}] ${dtype}`, () => f(x, -0.25, b));
          expectSameAsTs(`${name} number third [${n}] ${dtype}`, () => f(x, a, name === 'lerp' ? 0.5 : 0.75));
          expectSameAsTs(`${name} 0-d input [${n}] ${dtype}`, () => f(zero, a, b));
          expectSameAsTs(`${name} 0-d second [${n}] ${dtype}`, () => f(x, zero, b));
          expectSameAsTs(`${name} 0-d third [${n}] ${dtype}`, () => f(x, a, zero));
        }
        const x = specialValues([n], dtype), y = randn([n], { dtype });
        expectSameAsTs(`lerp weight 1 [${n}] ${dtype}`, () => lerp(x, y, 1));
        expectSameAsTs(`lerp weight NaN [${n}] ${dtype}`, () => lerp(x, y, Number.NaN));
        expectSameAsTs(`clamp NaN lower bound [${n}] ${dtype}`, () => clamp(x, Number.NaN, y));
        expectSameAsTs(`clamp min > max [${n}] ${dtype}`, () => clamp(x, y.add(5), 1));
      }
    }
  });

  it('row, column and batched broadcasts of each operand, sliced rows, permuted outer dims', () => {
    manualSeed(42);
    for (const dtype of DTYPES) {
      for (const [name, f] of OPS) {
        const m = specialValues([37, 29], dtype), a = specialValues([37, 29], dtype).neg(), b = third(name, [37, 29], dtype);
        const rows = [0, 1, 2].map((k) => (k === 2 ? third(name, [29], dtype) : specialValues([29], dtype)));
        const cols = [0, 1, 2].map((k) => (k === 2 ? third(name, [37, 1], dtype) : specialValues([37, 1], dtype)));
        const row = (k: number): Tensor => rows[k]!, col = (k: number): Tensor => cols[k]!;
        const args = (k: number, t: Tensor): [Tensor, Tensor, Tensor] => [k === 0 ? t : m, k === 1 ? t : a, k === 2 ? t : b];
        for (const k of [0, 1, 2]) {
          expectSameAsTs(`${name} row broadcast in operand ${k} ${dtype}`, () => f(...args(k, row(k))));
          expectSameAsTs(`${name} column broadcast in operand ${k} ${dtype}`, () => f(...args(k, col(k))));
        }
        expectSameAsTs(`${name} column, column, row ${dtype}`, () => f(col(0), col(1), row(2)));
        expectSameAsTs(`${name} all columns (inner stride 0 everywhere) ${dtype}`, () => f(col(0), col(1), col(2).expand([37, 29])));
        const batched = specialValues([3, 37, 29], dtype);
        expectSameAsTs(`${name} batched rows and matrix ${dtype}`, () => f(batched, row(1), b));
        const wide = specialValues([40, 50], dtype), wideB = third(name, [40, 50], dtype);
        expectSameAsTs(`${name} sliced rows ${dtype}`, () => f(wide.narrow(1, 3, 40), wide.narrow(1, 0, 40), wideB.narrow(1, 7, 40)));
        const p = specialValues([4, 5, 16], dtype).permute([1, 0, 2]), pa = specialValues([5, 4, 16], dtype), q = third(name, [5, 4, 16], dtype);
        expectSameAsTs(`${name} permuted outer dims ${dtype}`, () => f(p, pa, q));
        expectSameAsTs(`${name} transposed (TS path) ${dtype}`, () => f(wide.t(), wide.t().contiguous(), wideB.t()));
        expectSameAsTs(`${name} small (TS path) ${dtype}`, () => f(m.narrow(0, 0, 3), a.narrow(0, 0, 3), b.narrow(0, 0, 3)));
      }
    }
  });

  it('in-place forms: contiguous, sliced outputs, self as an operand; partial overlap and casts left to TS', () => {
    manualSeed(43);
    for (const dtype of DTYPES) {
      for (const [name] of OPS) {
        const x = specialValues([41, 19], dtype), a = specialValues([41, 19], dtype).flip(1).contiguous(), b = third(name, [41, 19], dtype);
        const run = (what: string, fn: (y: Tensor) => void): void => expectSameAsTs(`${name}_ ${what} ${dtype}`, () => {
          const y = x.clone();
          fn(y);
          return y;
        });
        run('contiguous', (y) => inplace(name, y, a, b));
        run('column bound / tensor', (y) => inplace(name, y, a.narrow(1, 0, 1), b));
        run('sliced output', (y) => inplace(name, y.narrow(1, 2, 15), a.narrow(1, 0, 15), b.narrow(1, 4, 15)));
        run('self as second operand', (y) => inplace(name, y, y, b));
        run('self as third operand', (y) => inplace(name, y, a, y));
        run('partially overlapping operand (TS path)', (y) => inplace(name, y.narrow(0, 1, 40), y.narrow(0, 0, 40), b.narrow(0, 0, 40)));
        run('0-d view of its own element (TS path)', (y) => inplace(name, y, y.flatten().select(0, 300), b));
      }
    }
    // float32 self with float64 operands: computed in float64, stored into float32 (TS path).
    const y = randn([300]), d = randn([300], { dtype: 'float64' });
    expectSameAsTs('addcmul_ float32 self, float64 operands (TS path)', () => y.clone().addcmul_(d, d, { value: 0.5 }));
    expectSameAsTs('clamp float32 with float64 bounds (TS path)', () => clamp(y, d.sub(1), d.add(1)));
    expectSameAsTs('addcdiv float32 with a 0-d float64 operand', () => addcdiv(y, tensor(0.1, { dtype: 'float64' }), y.abs().add(0.5)));
  });

  it('identical bytes for 1, 2 and 3 threads (row splits and flat blocks), equal to TS', () => {
    manualSeed(44);
    // Past the 2^17 elements per thread the plain ops split from.
    const x = specialValues([300_001], 'float32'), a = specialValues([300_001], 'float32'), w = third('lerp', [300_001], 'float32');
    const rows = specialValues([300, 1001], 'float64'), bias = specialValues([1001], 'float64'), hi = third('clamp', [300, 1001], 'float64');
    const runs = (): Tensor[] => [addcmul(x, a, w, { value: 0.1 }), lerp(x, a, w), clamp(rows, bias, hi),
      rows.clone().addcdiv_(bias, hi, { value: -0.5 })];
    const want = withKernels('ts', runs);
    for (const build of BUILDS) {
      expectSameBytesForThreads(build, runs, 4).forEach((t, i) => expectIdentical(t, want[i]!, `${build} output ${i}`));
    }
  });
});
