/**
 * Swin Transformer V1 and V2 (Liu et al., 2021/2022) as torchvision builds them: channels-last stages of window attention
 * blocks that alternate plain and shifted windows (with torchvision's relative position bias and
 * attention mask), patch merging between stages; torchvision's keys and initialisation.
 */
import * as core from '@torchts/core';
import { ValueError, cat, pad, tidy } from '@torchts/core';
import type { Tensor } from '@torchts/core';
import { noGrad } from '@torchts/autograd';
import { AdaptiveAvgPool2d, Conv2d, Flatten, GELU, LayerNorm, Linear, Module, Parameter, ReLU, Sequential, functional as F, init } from '@torchts/nn';
import { callModule, checkPositiveInt, withWeights } from './common.js';
import type { BuilderOptions } from './common.js';
import { MLP } from './layers/mlp.js';
import { Permute } from './layers/permute.js';
import { StochasticDepth } from './layers/stochastic-depth.js';

type NormLayer = (dim: number) => Module;
type Pair = [number, number];

/** Python's slice bounds on a length (negative counts from the end, null is the end). */
function pyBound(v: number | null, len: number): number {
  if (v === null) return len;
  return Math.min(len, Math.max(0, v < 0 ? v + len : v));
}

/** -100 where two positions of a window came from different regions of the shifted map, else 0: [nW, N, N]. */
function shiftedWindowMask(padH: number, padW: number, ws: Pair, shift: Pair, device: string): Tensor {
  const label = new Int32Array(padH * padW);
  const slices = (w: number, s: number): Array<[number, number | null]> => [[0, -w], [-w, -s], [-s, null]];
  let count = 0;
  for (const [h0, h1] of slices(ws[0], shift[0])) {
    for (const [w0, w1] of slices(ws[1], shift[1])) {
      for (let i = pyBound(h0, padH); i < pyBound(h1, padH); i++) for (let j = pyBound(w0, padW); j < pyBound(w1, padW); j++) label[i * padW + j] = count;
      count++;
    }
  }
  const nh = padH / ws[0], nw = padW / ws[1], n = ws[0] * ws[1];
  const mask = new Float32Array(nh * nw * n * n);
  for (let wy = 0; wy < nh; wy++) {
    for (let wx = 0; wx < nw; wx++) {
      const win = wy * nw + wx;
      const at = (p: number): number => label[(wy * ws[0] + Math.floor(p / ws[1])) * padW + wx * ws[1] + (p % ws[1])]!;
      for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) mask[(win * n + i) * n + j] = at(j) - at(i) !== 0 ? -100 : 0;
    }
  }
  return core.tensor(mask, { device }).view([nh * nw, n, n]);
}

export interface ShiftedWindowAttentionOptions {
  /** V2's cosine attention: per-head log-scale (clamped at log 100); the key bias is then zeroed. */
  logitScale?: Tensor | null;
  attentionDropout?: number;
  dropout?: number;
  qkvBias?: Tensor | null;
  projBias?: Tensor | null;
  training?: boolean;
}

/** Window multi-head self-attention with relative position bias on [B, H, W, C], windows optionally shifted. */
export function shiftedWindowAttention(
  input: Tensor, qkvWeight: Tensor, projWeight: Tensor, relativePositionBias: Tensor,
  windowSize: Pair, numHeads: number, shiftSize: Pair, opts: ShiftedWindowAttentionOptions = {},
): Tensor {
  const [b, h, w, c] = input.shape as [number, number, number, number];
  const [ws0, ws1] = windowSize;
  return tidy(() => {
    const padR = (ws1 - (w % ws1)) % ws1;
    const padB = (ws0 - (h % ws0)) % ws0;
    let x = pad(input, [0, 0, 0, padR, 0, padB]);
    const [, padH, padW] = x.shape as [number, number, number, number];
    // No shift along a dim the window already covers.
    const shift: Pair = [ws0 >= padH ? 0 : shiftSize[0], ws1 >= padW ? 0 : shiftSize[1]];
    const shifted = shift[0] + shift[1] > 0;
    if (shifted) x = x.roll([-shift[0], -shift[1]], [1, 2]);
    const nW = (padH / ws0) * (padW / ws1);
    const n = ws0 * ws1;
    x = x.view([b, padH / ws0, ws0, padW / ws1, ws1, c]).permute([0, 1, 3, 2, 4, 5]).reshape([b * nW, n, c]);
    let qkvBias = opts.qkvBias ?? null;
    const logitScale = opts.logitScale ?? null;
    if (logitScale && qkvBias) {
      const len = qkvBias.numel() / 3;
      qkvBias = cat([qkvBias.narrow(0, 0, len), core.zeros([len], { dtype: qkvBias.dtype, device: qkvBias.device }), qkvBias.narrow(0, 2 * len, len)]);
    }
    const qkv = F.linear(x, qkvWeight, qkvBias).reshape([b * nW, n, 3, numHeads, c / numHeads]).permute([2, 0, 3, 1, 4]);
    const [q, k] = [qkv.select(0, 0), qkv.select(0, 1)];
    let attn = logitScale
      ? F.normalize(q, { dim: -1 }).matmul(F.normalize(k, { dim: -1 }).transpose(-2, -1)).mul(logitScale.clampMax(Math.log(100)).exp())
      : q.mul(Math.floor(c / numHeads) ** -0.5).matmul(k.transpose(-2, -1));
    attn = attn.add(relativePositionBias);
    if (shifted) {
      const mask = shiftedWindowMask(padH, padW, windowSize, shift, input.device);
      attn = attn.view([b, nW, numHeads, n, n]).add(mask.unsqueeze(1).unsqueeze(0)).view([-1, numHeads, n, n]);
    }
    attn = F.dropout(F.softmax(attn, -1), { p: opts.attentionDropout ?? 0, training: opts.training ?? true });
    x = attn.matmul(qkv.select(0, 2)).transpose(1, 2).reshape([b * nW, n, c]);
    x = F.dropout(F.linear(x, projWeight, opts.projBias ?? null), { p: opts.dropout ?? 0, training: opts.training ?? true });
    x = x.view([b, padH / ws0, padW / ws1, ws0, ws1, c]).permute([0, 1, 3, 2, 4, 5]).reshape([b, padH, padW, c]);
    if (shifted) x = x.roll([shift[0], shift[1]], [1, 2]);
    return x.slice(1, 0, h).slice(2, 0, w).contiguous();
  });
}

export class ShiftedWindowAttention extends Module {
  declare windowSize: Pair;
  declare shiftSize: Pair;
  declare numHeads: number;
  declare attentionDropout: number;
  declare dropout: number;
  declare qkv: Linear;
  declare proj: Linear;
  declare relative_position_bias_table: Tensor | undefined;
  declare relative_position_index: Tensor;

  constructor(dim: number, windowSize: Pair, shiftSize: Pair, numHeads: number, opts: { qkvBias?: boolean; projBias?: boolean; attentionDropout?: number; dropout?: number } = {}) {
    super();
    if (windowSize.length !== 2 || shiftSize.length !== 2) throw new ValueError('window_size and shift_size must be of length 2');
    this.windowSize = [...windowSize];
    this.shiftSize = [...shiftSize];
    this.numHeads = numHeads;
    this.attentionDropout = opts.attentionDropout ?? 0;
    this.dropout = opts.dropout ?? 0;
    this.qkv = new Linear(dim, dim * 3, { bias: opts.qkvBias ?? true });
    this.proj = new Linear(dim, dim, { bias: opts.projBias ?? true });
    this.defineRelativePositionBiasTable();
    // Index of the bias row for each (query, key) pair of a window: relative (dy, dx) shifted to >= 0.
    const [wh, ww] = windowSize;
    const n = wh * ww;
    const index = new Array<number>(n * n);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) {
        const dy = Math.floor(i / ww) - Math.floor(j / ww) + wh - 1;
        const dx = (i % ww) - (j % ww) + ww - 1;
        index[i * n + j] = dy * (2 * ww - 1) + dx;
      }
    }
    this.registerBuffer('relative_position_index', core.tensor(index, { dtype: 'int64' }));
  }

  /** V1: a learned table of (2Wh-1)(2Ww-1) x heads biases, truncated-normal initialised. */
  protected defineRelativePositionBiasTable(): void {
    const [wh, ww] = this.windowSize;
    this.relative_position_bias_table = Parameter(core.zeros([(2 * wh - 1) * (2 * ww - 1), this.numHeads]));
    init.truncNormal_(this.relative_position_bias_table, 0, 0.02);
  }

  /** [1, heads, N, N]: rows of `table` gathered by the relative position index. */
  protected gatherBias(table: Tensor): Tensor {
    const n = this.windowSize[0] * this.windowSize[1];
    return tidy(() => table.indexSelect(0, this.relative_position_index).view([n, n, -1]).permute([2, 0, 1]).contiguous().unsqueeze(0));
  }

  relativePositionBias(): Tensor {
    return this.gatherBias(this.relative_position_bias_table!);
  }

  protected logitScale(): Tensor | null {
    return null;
  }

  forward(x: Tensor): Tensor {
    return tidy(() => shiftedWindowAttention(x, this.qkv.weight, this.proj.weight, this.relativePositionBias(), this.windowSize, this.numHeads, this.shiftSize, {
      logitScale: this.logitScale(), attentionDropout: this.attentionDropout, dropout: this.dropout, qkvBias: this.qkv.bias, projBias: this.proj.bias, training: this.training,
    }));
  }
}

/**
 * Swin V2's attention: cosine similarity with a learned per-head scale, and position biases from a
 * small MLP over log-spaced relative coordinates (16 * sigmoid), so windows can change size.
 */
export class ShiftedWindowAttentionV2 extends ShiftedWindowAttention {
  declare relative_coords_table: Tensor;
  declare logit_scale: Tensor;
  declare cpb_mlp: Sequential;

  constructor(dim: number, windowSize: Pair, shiftSize: Pair, numHeads: number, opts: { qkvBias?: boolean; projBias?: boolean; attentionDropout?: number; dropout?: number } = {}) {
    super(dim, windowSize, shiftSize, numHeads, opts);
    this.logit_scale = Parameter(core.full([numHeads, 1, 1], 10).log());
    this.cpb_mlp = new Sequential(new Linear(2, 512), new ReLU({ inplace: true }), new Linear(512, numHeads, { bias: false }));
    if (this.qkv.bias) {
      const len = this.qkv.bias.numel() / 3;
      noGrad(() => this.qkv.bias!.narrow(0, len, len).zero_());
    }
  }

  /** The (2Wh-1, 2Ww-1, 2) table of relative coordinates, scaled to [-8, 8] and log-spaced, in float32 as torch. */
  protected override defineRelativePositionBiasTable(): void {
    const [wh, ww] = this.windowSize;
    const f = Math.fround;
    const logSpaced = (d: number, w: number): number => {
      const v = f(f(f(d) / f(w - 1)) * 8);
      return f(f(Math.sign(v) * f(Math.log2(f(Math.abs(v) + 1)))) / 3);
    };
    const values: number[] = [];
    for (let dy = -(wh - 1); dy < wh; dy++) for (let dx = -(ww - 1); dx < ww; dx++) values.push(logSpaced(dy, wh), logSpaced(dx, ww));
    this.registerBuffer('relative_coords_table', core.tensor(values).view([1, 2 * wh - 1, 2 * ww - 1, 2]));
  }

  override relativePositionBias(): Tensor {
    return tidy(() => this.gatherBias(callModule(this.cpb_mlp, this.relative_coords_table).view([-1, this.numHeads])).sigmoid().mul(16));
  }

  protected override logitScale(): Tensor {
    return this.logit_scale;
  }
}

export class SwinTransformerBlock extends Module {
  declare norm1: Module;
  declare attn: ShiftedWindowAttention;
  declare stochastic_depth: StochasticDepth;
  declare norm2: Module;
  declare mlp: MLP;

  constructor(dim: number, numHeads: number, windowSize: Pair, shiftSize: Pair, opts: { mlpRatio?: number; dropout?: number; attentionDropout?: number; stochasticDepthProb?: number; normLayer?: NormLayer } = {}) {
    super();
    const norm = opts.normLayer ?? ((d: number) => new LayerNorm(d));
    const dropout = opts.dropout ?? 0;
    this.norm1 = norm(dim);
    this.attn = new (this.attentionClass())(dim, windowSize, shiftSize, numHeads, { attentionDropout: opts.attentionDropout ?? 0, dropout });
    this.stochastic_depth = new StochasticDepth(opts.stochasticDepthProb ?? 0, 'row');
    this.norm2 = norm(dim);
    this.mlp = new MLP(dim, [Math.trunc(dim * (opts.mlpRatio ?? 4)), dim], { activationLayer: () => new GELU(), dropout });
    for (const m of this.mlp.modules()) {
      if (!(m instanceof Linear)) continue;
      init.xavierUniform_(m.weight);
      if (m.bias) init.normal_(m.bias, 0, 1e-6);
    }
  }

  protected attentionClass(): typeof ShiftedWindowAttention {
    return ShiftedWindowAttention;
  }

  forward(x: Tensor): Tensor {
    return tidy(() => {
      const y = x.add(this.stochastic_depth.call(this.attn.call(callModule(this.norm1, x))));
      return y.add(this.stochastic_depth.call(callModule(this.mlp, callModule(this.norm2, y))));
    });
  }
}

/** Swin V2's block: post-norm residuals (norm after attention and after the MLP) and V2 attention. */
export class SwinTransformerBlockV2 extends SwinTransformerBlock {
  protected override attentionClass(): typeof ShiftedWindowAttention {
    return ShiftedWindowAttentionV2;
  }

  override forward(x: Tensor): Tensor {
    return tidy(() => {
      const y = x.add(this.stochastic_depth.call(callModule(this.norm1, this.attn.call(x))));
      return y.add(this.stochastic_depth.call(callModule(this.norm2, callModule(this.mlp, y))));
    });
  }
}

/** 2x2 neighbourhoods concatenated (odd sizes zero-padded), normalised, projected 4C -> 2C; [..., H, W, C] layout. */
export class PatchMerging extends Module {
  declare dim: number;
  declare reduction: Linear;
  declare norm: Module;

  constructor(dim: number, normLayer: NormLayer = (d) => new LayerNorm(d)) {
    super();
    this.dim = dim;
    this.reduction = new Linear(4 * dim, 2 * dim, { bias: false });
    this.norm = normLayer(this.normFeatures(dim));
  }

  protected normFeatures(dim: number): number {
    return 4 * dim;
  }

  /** [..., H, W, C] -> [..., ceil(H/2), ceil(W/2), 4C]. */
  protected merge(x: Tensor): Tensor {
    const [h, w] = x.shape.slice(-3, -1) as [number, number];
    const p = pad(x, [0, 0, 0, w % 2, 0, h % 2]);
    const hd = p.ndim - 3, wd = p.ndim - 2;
    const part = (i: number, j: number): Tensor => p.slice(hd, i, null, 2).slice(wd, j, null, 2);
    return cat([part(0, 0), part(1, 0), part(0, 1), part(1, 1)], -1);
  }

  forward(x: Tensor): Tensor {
    return tidy(() => this.reduction.call(callModule(this.norm, this.merge(x))));
  }
}

/** Swin V2's patch merging: the norm comes after the reduction (over 2C features). */
export class PatchMergingV2 extends PatchMerging {
  protected override normFeatures(dim: number): number {
    return 2 * dim;
  }

  override forward(x: Tensor): Tensor {
    return tidy(() => callModule(this.norm, this.reduction.call(this.merge(x))));
  }
}

export interface SwinTransformerOptions {
  patchSize: Pair;
  embedDim: number;
  depths: number[];
  numHeads: number[];
  windowSize: Pair;
  mlpRatio?: number;
  dropout?: number;
  attentionDropout?: number;
  stochasticDepthProb?: number;
  numClasses?: number;
  normLayer?: NormLayer;
  /** 2 for Swin V2 blocks (post-norm, cosine attention, continuous position bias) and patch merging. */
  version?: 1 | 2;
}

export class SwinTransformer extends Module {
  declare numClasses: number;
  declare features: Sequential;
  declare norm: Module;
  declare permute: Permute;
  declare avgpool: AdaptiveAvgPool2d;
  declare flatten: Flatten;
  declare head: Linear;

  constructor(opts: SwinTransformerOptions) {
    super();
    if (opts.depths.length !== opts.numHeads.length) throw new ValueError(`depths and numHeads must have the same length, got ${opts.depths.length} and ${opts.numHeads.length}`);
    this.numClasses = checkPositiveInt('numClasses', opts.numClasses ?? 1000);
    const norm = opts.normLayer ?? ((d: number) => new LayerNorm(d, { eps: 1e-5 }));
    const sdProb = opts.stochasticDepthProb ?? 0.1;
    const { patchSize: ps, embedDim, depths, windowSize } = opts;
    const [Block, Merging] = opts.version === 2 ? [SwinTransformerBlockV2, PatchMergingV2] : [SwinTransformerBlock, PatchMerging];
    const layers: Module[] = [new Sequential(new Conv2d(3, embedDim, ps, { stride: ps }), new Permute([0, 2, 3, 1]), norm(embedDim))];
    const total = depths.reduce((a, d) => a + d, 0);
    let blockId = 0;
    depths.forEach((depth, s) => {
      const dim = embedDim * 2 ** s;
      const stage: Module[] = [];
      for (let i = 0; i < depth; i++) {
        stage.push(new Block(dim, opts.numHeads[s]!, windowSize, i % 2 === 0 ? [0, 0] : [Math.floor(windowSize[0] / 2), Math.floor(windowSize[1] / 2)], {
          mlpRatio: opts.mlpRatio, dropout: opts.dropout, attentionDropout: opts.attentionDropout, stochasticDepthProb: (sdProb * blockId) / (total - 1), normLayer: norm,
        }));
        blockId++;
      }
      layers.push(new Sequential(...stage));
      if (s < depths.length - 1) layers.push(new Merging(dim, norm));
    });
    this.features = new Sequential(...layers);
    const numFeatures = embedDim * 2 ** (depths.length - 1);
    this.norm = norm(numFeatures);
    this.permute = new Permute([0, 3, 1, 2]);
    this.avgpool = new AdaptiveAvgPool2d(1);
    this.flatten = new Flatten(1);
    this.head = new Linear(numFeatures, this.numClasses);
    for (const m of this.modules()) {
      if (!(m instanceof Linear)) continue;
      init.truncNormal_(m.weight, 0, 0.02);
      if (m.bias) init.zeros_(m.bias);
    }
  }

  forward(x: Tensor): Tensor {
    return tidy(() => {
      let h = callModule(this.features, x);
      for (const m of [this.norm, this.permute, this.avgpool, this.flatten, this.head]) h = callModule(m, h);
      return h;
    });
  }
}

type SwinBuilderOptions = BuilderOptions & Partial<Omit<SwinTransformerOptions, 'patchSize' | 'embedDim' | 'depths' | 'numHeads' | 'windowSize' | 'version'>>;

const swin = (version: 1 | 2, embedDim: number, depths: number[], numHeads: number[], stochasticDepthProb: number) => (opts: SwinBuilderOptions = {}): SwinTransformer => {
  const window: Pair = version === 2 ? [8, 8] : [7, 7];
  return withWeights(new SwinTransformer({ stochasticDepthProb, ...opts, patchSize: [4, 4], embedDim, depths, numHeads, windowSize: window, version }), opts.weights);
};

export const swinT = swin(1, 96, [2, 2, 6, 2], [3, 6, 12, 24], 0.2);
export const swinS = swin(1, 96, [2, 2, 18, 2], [3, 6, 12, 24], 0.3);
export const swinB = swin(1, 128, [2, 2, 18, 2], [4, 8, 16, 32], 0.5);
export const swinV2T = swin(2, 96, [2, 2, 6, 2], [3, 6, 12, 24], 0.2);
export const swinV2S = swin(2, 96, [2, 2, 18, 2], [3, 6, 12, 24], 0.3);
export const swinV2B = swin(2, 128, [2, 2, 18, 2], [4, 8, 16, 32], 0.5);
