// The WebAssembly SIMD GEMM (both builds) against the TS GEMM, through every op that reaches it.
// Bound: a float dot product of length k is off by at most k * eps * (|A| @ |B|) (FMA only lowers it).
import { describe, expect, it } from 'vitest';
import { cpuKernels } from '../../src/index.js';
import { addmm, baddbmm, bmm, convolution, full, manualSeed, matmul, mm, randn } from '@torchts/core';
import type { DType, Tensor } from '@torchts/core';
import { BUILDS, expectWithin, lcg, withKernels } from './helpers.js';

const EPS: Record<string, number> = { float32: 2 ** -23, float64: 2 ** -52 };
const DTYPES: DType[] = ['float32', 'float64'];

/** A [rows, cols] operand in one of several layouts (same values whatever the layout). */
function operand(rows: number, cols: number, dtype: DType, layout: number): Tensor {
  switch (layout) {
    case 1: return randn([cols, rows], { dtype }).t(); // transposed (column-major)
    case 2: return randn([rows * cols * 3 + 5], { dtype }).asStrided([rows, cols], [cols * 3, 2], 3); // strided, offset
    default: return randn([rows, cols], { dtype });
  }
}

/** Compares op(...) under each wasm build with the TS kernels; `scale` gives the magnitude bound. */
function compare(what: string, dtype: DType, k: number, run: () => Tensor, scale: () => Tensor): void {
  const want = withKernels('ts', run);
  const mag = withKernels('ts', scale);
  for (const build of BUILDS) {
    const got = withKernels(build, run);
    expect(got.dtype).toBe(dtype);
    expectWithin(got, want, mag, (k + 4) * EPS[dtype]!, `${what} (${build})`);
  }
}

const abs64 = (t: Tensor): Tensor => t.abs().double();

describe('wasm SIMD GEMM vs TS', () => {
  it('loads a SIMD build by default on Node 20', () => {
    expect(BUILDS).toEqual(['simd', 'relaxed']);
    expect(cpuKernels()).toBe('relaxed');
  });

  it('mm: random shapes (1, odd, not multiples of 4/8, past every block size) and layouts', () => {
    manualSeed(1);
    const shapes = [[1, 1, 1], [1, 7, 1], [3, 5, 2], [4, 8, 8], [5, 9, 13], [17, 33, 9], [1, 40, 37], [29, 1, 30],
      [64, 300, 70], [130, 20, 7], [3, 4, 1030]];
    const next = lcg(7);
    for (const dtype of DTYPES) {
      for (const [m, k, n] of shapes) {
        const la = next(3), lb = next(3);
        const a = operand(m!, k!, dtype, la), b = operand(k!, n!, dtype, lb);
        compare(`mm ${m}x${k}x${n} layouts ${la}/${lb} ${dtype}`, dtype, k!, () => mm(a, b), () => mm(abs64(a), abs64(b)));
      }
    }
  });

  it('B read in place or packed: every layout pair, edge panels, two depth blocks, alpha and beta', () => {
    manualSeed(4);
    // [m, k, n]: in place (k*n small, row-contiguous B) with and without edge panels, more than one
    // depth block (k > 256), and too big to read in place (k*n*4 > 128 KiB).
    const shapes = [[6, 25, 576], [16, 150, 64], [5, 300, 37], [9, 7, 13], [4, 600, 70]];
    for (const dtype of DTYPES) {
      for (const [m, k, n] of shapes) {
        for (let la = 0; la < 3; la++) {
          for (let lb = 0; lb < 3; lb++) {
            const a = operand(m!, k!, dtype, la), b = operand(k!, n!, dtype, lb), c = randn([m!, n!], { dtype });
            compare(`addmm ${m}x${k}x${n} layouts ${la}/${lb} ${dtype}`, dtype, k!, () => addmm(c, a, b, { beta: 0.5, alpha: 1.5 }),
              () => addmm(abs64(c), abs64(a), abs64(b), { beta: 0.5, alpha: 1.5 }));
            compare(`mm ${m}x${k}x${n} layouts ${la}/${lb} ${dtype}`, dtype, k!, () => mm(a, b), () => mm(abs64(a), abs64(b)));
          }
        }
      }
    }
  });

  it('addmm with alpha and beta; beta = 0 ignores NaN in the input', () => {
    manualSeed(2);
    for (const dtype of DTYPES) {
      const c = randn([9, 11], { dtype }), a = operand(9, 21, dtype, 1), b = operand(21, 11, dtype, 0);
      compare(`addmm ${dtype}`, dtype, 21, () => addmm(c, a, b, { beta: 0.5, alpha: 2 }),
        () => addmm(abs64(c), abs64(a), abs64(b), { beta: 0.5, alpha: 2 }));
      const nan = full([9, 11], Number.NaN, { dtype });
      for (const build of BUILDS) {
        const got = withKernels(build, () => addmm(nan, a, b, { beta: 0 }));
        expect((got.isnan().any().item())).toBe(false);
      }
    }
  });

  it('bmm, baddbmm and broadcast matmul (stride-0 batch dims), vector products', () => {
    manualSeed(3);
    for (const dtype of DTYPES) {
      const a = randn([3, 6, 10], { dtype }), b = randn([3, 12, 10], { dtype }).transpose(1, 2);
      compare(`bmm ${dtype}`, dtype, 10, () => bmm(a, b), () => bmm(abs64(a), abs64(b)));
      const c = randn([3, 6, 12], { dtype });
      compare(`baddbmm ${dtype}`, dtype, 10, () => baddbmm(c, a, b, { beta: -1, alpha: 0.25 }),
        () => baddbmm(abs64(c), abs64(a), abs64(b), { beta: 1, alpha: 0.25 }));
      const x = randn([2, 1, 5, 9], { dtype }), y = randn([3, 9, 7], { dtype });
      compare(`matmul broadcast ${dtype}`, dtype, 9, () => matmul(x, y), () => matmul(abs64(x), abs64(y)));
      const v = randn([9], { dtype });
      compare(`matmul vector @ batch ${dtype}`, dtype, 9, () => matmul(v, y), () => matmul(abs64(v), abs64(y)));
      compare(`matmul batch @ vector ${dtype}`, dtype, 9, () => matmul(y.transpose(1, 2), v), () => matmul(abs64(y).transpose(1, 2), abs64(v)));
    }
  });

  it('convolution (im2col + GEMM): plain, grouped, strided/dilated, transposed', () => {
    manualSeed(4);
    for (const dtype of DTYPES) {
      const x = randn([2, 4, 9, 8], { dtype }), w = randn([6, 2, 3, 3], { dtype }), bias = randn([6], { dtype });
      const conv = (xx: Tensor, ww: Tensor, bb: Tensor | null, groups: number) => () =>
        convolution(xx, ww, bb, [2, 1], [1, 2], [1, 2], false, [0, 0], groups);
      compare(`conv2d groups 2 ${dtype}`, dtype, 2 * 9, conv(x, w, bias, 2), conv(abs64(x), abs64(w), abs64(bias), 2));
      const w1 = randn([5, 4, 3, 3], { dtype });
      compare(`conv2d ${dtype}`, dtype, 4 * 9, conv(x, w1, null, 1), conv(abs64(x), abs64(w1), null, 1));
      const wt = randn([4, 3, 2, 2], { dtype });
      const convT = (xx: Tensor, ww: Tensor) => () => convolution(xx, ww, null, [2, 2], [0, 0], [1, 1], true, [0, 0], 1);
      compare(`conv_transpose2d ${dtype}`, dtype, 4 * 4, convT(x, wt), convT(abs64(x), abs64(wt)));
      // Unit stride (the vector col2im path), padding, dilation, groups.
      const wt2 = randn([4, 3, 3, 3], { dtype });
      const convT2 = (xx: Tensor, ww: Tensor) => () => convolution(xx, ww, null, [1, 1], [1, 2], [2, 1], true, [0, 0], 2);
      compare(`conv_transpose2d unit stride, groups 2 ${dtype}`, dtype, 2 * 9, convT2(x, wt2), convT2(abs64(x), abs64(wt2)));
      // Channels-last input (strided im2col reads), 1-d and 3-d problems.
      const xl = randn([2, 9, 8, 4], { dtype }).permute(0, 3, 1, 2);
      compare(`conv2d channels-last ${dtype}`, dtype, 4 * 9, conv(xl, w1, null, 1), conv(abs64(xl), abs64(w1), null, 1));
      const x1 = randn([3, 2, 40], { dtype }), w1d = randn([4, 2, 5], { dtype });
      const c1 = (xx: Tensor, ww: Tensor) => () => convolution(xx, ww, null, [3], [4], [2], false, [0], 1);
      compare(`conv1d ${dtype}`, dtype, 2 * 5, c1(x1, w1d), c1(abs64(x1), abs64(w1d)));
      const x3 = randn([1, 2, 5, 6, 7], { dtype }), w3 = randn([3, 2, 2, 3, 2], { dtype });
      const c3 = (xx: Tensor, ww: Tensor) => () => convolution(xx, ww, null, [1, 2, 1], [1, 0, 1], [2, 1, 1], false, [0, 0, 0], 1);
      compare(`conv3d ${dtype}`, dtype, 2 * 12, c3(x3, w3), c3(abs64(x3), abs64(w3)));
    }
  });
});
