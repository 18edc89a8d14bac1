// The wasm convolution drivers (src/wasm/conv.ts, assembly/conv.ts) against the TS loops: forward,
// transposed and weight gradient over groups, strides, padding, dilation, 1-3 spatial dims, both
// float dtypes; and identical bytes for 1, 2 and 3 threads (batch split; chunked weight gradient).
import { afterAll, describe, expect, it } from 'vitest';
import { getNumThreads, setNumThreads } from '../../src/index.js';
import { convolution, convolutionBackwardWeight, manualSeed, randn } from '@torchts/core';
import type { DType, Tensor } from '@torchts/core';
import { BUILDS, expectIdentical, expectWithin, withKernels } from './helpers.js';

const initial = getNumThreads();
afterAll(() => setNumThreads(initial));

interface Case {
  label: string;
  x: number[];
  w: number[];
  stride: number[];
  padding: number[];
  dilation: number[];
  groups: number;
  transposed?: boolean;
  outputPadding?: number[];
  /** Keep a 2-d/3-d input contiguous (otherwise the direct cases get a transposed view). */
  contiguous?: boolean;
}

const CASES: Case[] = [
  // Big enough to be split over threads: forward by element, weight gradient in 4 chunks of 13.
  { label: 'LeNet conv1', x: [40, 1, 28, 28], w: [6, 1, 5, 5], stride: [1, 1], padding: [0, 0], dilation: [1, 1], groups: 1 },
  // Short output rows: the weight gradient unfolds up to 512 / L elements side by side (L = 64:
  // chunks of 7, 7, 6 elements; L = 100: one chunk of 13 in side-by-side runs of 5, 5, 3).
  { label: 'LeNet conv2 (weight gradient over elements side by side)', x: [20, 6, 12, 12], w: [16, 6, 5, 5], stride: [1, 1], padding: [0, 0], dilation: [1, 1], groups: 1 },
  { label: 'LeNet conv2, contiguous (im2col copies 32-byte runs)', x: [6, 6, 12, 12], w: [16, 6, 5, 5], stride: [1, 1], padding: [0, 0], dilation: [1, 1], groups: 1, contiguous: true },
  { label: 'rows of 24 elements, contiguous (im2col copies runs of whole vectors)', x: [3, 2, 9, 28], w: [4, 2, 5, 5], stride: [1, 1], padding: [0, 0], dilation: [1, 1], groups: 1, contiguous: true },
  { label: 'valid 3d, dilation, contiguous (im2col without bounds; 18-element runs)', x: [2, 3, 6, 9, 20], w: [4, 3, 2, 3, 3], stride: [1, 1, 1], padding: [0, 0, 0], dilation: [2, 2, 1], groups: 1, contiguous: true },
  { label: 'runs of 16 and 32 elements, contiguous', x: [2, 2, 7, 36], w: [3, 2, 3, 5], stride: [1, 1], padding: [0, 0], dilation: [1, 1], groups: 1, contiguous: true },
  { label: 'runs of 16 elements, contiguous, groups', x: [3, 4, 6, 20], w: [4, 2, 2, 5], stride: [1, 1], padding: [0, 0], dilation: [1, 1], groups: 2, contiguous: true },
  { label: 'short rows, runs of 5 elements side by side, groups', x: [13, 4, 12, 12], w: [6, 2, 3, 3], stride: [1, 1], padding: [0, 0], dilation: [1, 1], groups: 2, contiguous: true },
  { label: '2d groups, stride, padding, dilation', x: [5, 4, 11, 9], w: [6, 2, 3, 2], stride: [2, 1], padding: [1, 2], dilation: [1, 2], groups: 2 },
  { label: '2d padding wider than the kernel reach, stride 1 (rows of zeros above and below)', x: [3, 3, 9, 8], w: [4, 3, 3, 3], stride: [1, 1], padding: [3, 1], dilation: [1, 2], groups: 1, contiguous: true },
  { label: '2d padding, stride 3, strided input', x: [2, 2, 11, 10], w: [3, 2, 4, 2], stride: [3, 1], padding: [2, 1], dilation: [1, 1], groups: 1 },
  { label: 'depthwise 3x3', x: [4, 6, 10, 10], w: [6, 1, 3, 3], stride: [1, 1], padding: [1, 1], dilation: [1, 1], groups: 6 },
  { label: 'depthwise 5x5 stride 1, contiguous (vector rows, padding edges)', x: [3, 5, 13, 19], w: [5, 1, 5, 5], stride: [1, 1], padding: [2, 2], dilation: [1, 1], groups: 5, contiguous: true },
  { label: 'depthwise stride 2, dilation 2, contiguous', x: [2, 4, 15, 16], w: [4, 1, 3, 3], stride: [2, 2], padding: [1, 3], dilation: [2, 2], groups: 4, contiguous: true },
  { label: 'depthwise 3d', x: [2, 3, 5, 6, 9], w: [3, 1, 2, 3, 3], stride: [1, 1, 1], padding: [1, 1, 1], dilation: [1, 1, 1], groups: 3, contiguous: true },
  { label: 'depthwise 1d', x: [3, 6, 40], w: [6, 1, 7], stride: [1], padding: [3], dilation: [1], groups: 6 },
  { label: 'pointwise 1d, contiguous (the GEMM reads x in place)', x: [5, 8, 30], w: [6, 8, 1], stride: [1], padding: [0], dilation: [1], groups: 1 },
  { label: 'pointwise 1x1, strided input (im2col)', x: [5, 8, 7, 6], w: [12, 4, 1, 1], stride: [1, 1], padding: [0, 0], dilation: [1, 1], groups: 2 },
  { label: '1d', x: [7, 3, 30], w: [5, 3, 4], stride: [3], padding: [2], dilation: [2], groups: 1 },
  { label: '3d', x: [3, 2, 5, 6, 7], w: [4, 2, 2, 3, 2], stride: [1, 2, 1], padding: [1, 0, 1], dilation: [1, 1, 2], groups: 1 },
  { label: '2d transposed, groups, output padding', x: [5, 4, 6, 5], w: [4, 3, 3, 2], stride: [2, 2], padding: [1, 0], dilation: [1, 1], groups: 2, transposed: true, outputPadding: [1, 1] },
  { label: '2d transposed, stride 1, padding (col2im skips rows above and below)', x: [2, 4, 7, 6], w: [4, 3, 3, 3], stride: [1, 1], padding: [2, 1], dilation: [1, 1], groups: 1, transposed: true, outputPadding: [0, 0] },
  { label: '2d transposed, stride 1, rows of 8 (LeNet conv2 input gradient: col2im adds 32-byte runs)', x: [4, 16, 8, 8], w: [16, 6, 5, 5], stride: [1, 1], padding: [0, 0], dilation: [1, 1], groups: 1, transposed: true, outputPadding: [0, 0] },
  { label: '2d transposed, split over threads', x: [6, 16, 16, 16], w: [16, 8, 3, 3], stride: [2, 2], padding: [1, 1], dilation: [1, 1], groups: 1, transposed: true, outputPadding: [1, 1] },
  { label: 'depthwise transposed (direct), stride 2', x: [3, 6, 9, 11], w: [6, 1, 3, 3], stride: [2, 2], padding: [1, 1], dilation: [1, 1], groups: 6, transposed: true, outputPadding: [1, 0] },
  { label: 'depthwise transposed (direct), stride 1, dilation 2', x: [2, 4, 7, 13], w: [4, 1, 3, 3], stride: [1, 1], padding: [2, 2], dilation: [2, 2], groups: 4, transposed: true, outputPadding: [0, 0] },
  { label: '1d transposed, dilation', x: [6, 3, 9], w: [3, 2, 3], stride: [1], padding: [1], dilation: [2], groups: 1, transposed: true, outputPadding: [1] },
];

function run(c: Case, x: Tensor, w: Tensor, gy: Tensor | null): Tensor[] {
  const out = convolution(x, w, null, c.stride, c.padding, c.dilation, Boolean(c.transposed), c.outputPadding ?? c.stride.map(() => 0), c.groups);
  if (!gy || c.transposed) return [out];
  return [out, convolutionBackwardWeight(x, gy, [...w.shape], c.stride, c.padding, c.dilation, c.groups)];
}

describe('wasm convolution drivers', () => {
  for (const dtype of ['float32', 'float64'] as DType[]) {
    for (const c of CASES) {
      it(`${c.label} (${dtype}): as the TS kernels; the same bytes for 1, 2 and 3 threads`, () => {
        manualSeed(3);
        // A non-contiguous input (a transposed view of the last two dims) for the direct cases.
        const x = c.transposed || c.contiguous || c.x.length < 4 ? randn(c.x, { dtype }) : randn([...c.x.slice(0, -2), c.x.at(-1)!, c.x.at(-2)!], { dtype }).transpose(-1, -2);
        const w = randn(c.w, { dtype });
        const probe = withKernels('ts', () => run(c, x, w, null))[0]!;
        const gy = randn([...probe.shape], { dtype });
        setNumThreads(1);
        const want = withKernels('ts', () => run(c, x, w, gy));
        const tol = dtype === 'float32' ? 1e-5 : 1e-13;
        for (const build of BUILDS) {
          const results = [1, 2, 3].map((t) => {
            setNumThreads(t);
            return withKernels(build, () => run(c, x, w, gy));
          });
          results[0]!.forEach((r, i) => {
            const scale = want[i]!.abs().add(1);
            expectWithin(r, want[i]!, scale, tol * 100, `${c.label} ${build} output ${i}`);
          });
          for (const r of results.slice(1)) r.forEach((t, i) => expectIdentical(t, results[0]![i]!, `${c.label} ${build} threads, output ${i}`));
        }
        expect(want.length).toBe(c.transposed ? 1 : 2);
      });
    }
  }
});
