/**
 * nn.MultiheadAttention and the Transformer family. Parameter and submodule names follow PyTorch
 * (in_proj_weight, out_proj.weight, self_attn, linear1, norm1, layers.0 ...), so state dicts move
 * between PyTorch and torchts unchanged.
 */
import * as core from '@torchts/core';
import { RuntimeError, Tensor, ValueError } from '@torchts/core';
import type { DType } from '@torchts/core';
import { noGrad } from '@torchts/autograd';
import { Module } from '../module.js';
import { Parameter } from '../parameter.js';
import { ModuleList } from '../containers.js';
import * as init from '../init.js';
import { multiHeadAttentionForward } from '../functional/attention.js';
import { gelu, relu } from '../functional/activation.js';
import { withTemps } from '../functional/temps.js';
import { Linear } from './linear.js';
import { LayerNorm } from './norm.js';
import { Dropout } from './dropout.js';

type Factory = { dtype?: DType; device?: string };

export interface MultiheadAttentionOptions extends Factory {
  dropout?: number;
  bias?: boolean;
  kdim?: number | null;
  vdim?: number | null;
  batchFirst?: boolean;
  /** Learned bias_k / bias_v ([1, 1, embedDim]) appended to the keys and values. */
  addBiasKv?: boolean;
  /** Appends an all-zero key and value to every sequence. */
  addZeroAttn?: boolean;
}

export interface MultiheadAttentionForwardOptions {
  keyPaddingMask?: Tensor | null;
  needWeights?: boolean;
  attnMask?: Tensor | null;
  averageAttnWeights?: boolean;
}

export class MultiheadAttention extends Module {
  declare embedDim: number;
  declare kdim: number;
  declare vdim: number;
  declare numHeads: number;
  declare dropout: number;
  declare batchFirst: boolean;
  declare headDim: number;
  declare _qkvSameEmbedDim: boolean;
  declare in_proj_weight: Tensor | null;
  declare q_proj_weight: Tensor | null;
  declare k_proj_weight: Tensor | null;
  declare v_proj_weight: Tensor | null;
  declare in_proj_bias: Tensor | null;
  declare bias_k: Tensor | null;
  declare bias_v: Tensor | null;
  declare addZeroAttn: boolean;
  declare out_proj: Linear;

  constructor(embedDim: number, numHeads: number, opts: MultiheadAttentionOptions = {}) {
    super();
    this.embedDim = embedDim;
    this.kdim = opts.kdim ?? embedDim;
    this.vdim = opts.vdim ?? embedDim;
    this._qkvSameEmbedDim = this.kdim === embedDim && this.vdim === embedDim;
    this.numHeads = numHeads;
    this.dropout = opts.dropout ?? 0;
    this.batchFirst = opts.batchFirst ?? false;
    this.headDim = Math.floor(embedDim / numHeads);
    if (this.headDim * numHeads !== embedDim) throw new RuntimeError('embed_dim must be divisible by num_heads');
    const f = { dtype: opts.dtype, device: opts.device };
    // Field order gives PyTorch's parameter order.
    if (this._qkvSameEmbedDim) {
      this.in_proj_weight = Parameter(core.empty([3 * embedDim, embedDim], f));
    } else {
      this.q_proj_weight = Parameter(core.empty([embedDim, embedDim], f));
      this.k_proj_weight = Parameter(core.empty([embedDim, this.kdim], f));
      this.v_proj_weight = Parameter(core.empty([embedDim, this.vdim], f));
    }
    this.in_proj_bias = opts.bias ?? true ? Parameter(core.empty([3 * embedDim], f)) : null;
    const biasKv = opts.addBiasKv ?? false;
    this.bias_k = biasKv ? Parameter(core.empty([1, 1, embedDim], f)) : null;
    this.bias_v = biasKv ? Parameter(core.empty([1, 1, embedDim], f)) : null;
    this.addZeroAttn = opts.addZeroAttn ?? false;
    this.out_proj = new Linear(embedDim, embedDim, { ...f, bias: opts.bias ?? true });
    this.resetParameters();
  }

  /** xavier_uniform_ on the input projections, zero biases (out_proj.weight keeps Linear's init), xavier_normal_ on bias_k/bias_v, as PyTorch. */
  resetParameters(): void {
    if (this._qkvSameEmbedDim) init.xavierUniform_(this.in_proj_weight!);
    else for (const w of [this.q_proj_weight!, this.k_proj_weight!, this.v_proj_weight!]) init.xavierUniform_(w);
    if (this.in_proj_bias) init.constant_(this.in_proj_bias, 0);
    if (this.out_proj.bias) init.constant_(this.out_proj.bias, 0);
    if (this.bias_k) init.xavierNormal_(this.bias_k);
    if (this.bias_v) init.xavierNormal_(this.bias_v);
  }

  /** Returns [output, attention weights or null]; inputs are [L, N, E] ([N, L, E] with batchFirst) or unbatched [L, E]. */
  forward(query: Tensor, key: Tensor, value: Tensor, opts: MultiheadAttentionForwardOptions = {}): [Tensor, Tensor | null] {
    const swap = this.batchFirst && query.ndim === 3;
    return withTemps((t) => {
      const [q, k, v] = swap ? [t(query.transpose(0, 1)), t(key.transpose(0, 1)), t(value.transpose(0, 1))] : [query, key, value];
      if (q.shape[q.ndim - 1] !== this.embedDim) {
        throw new RuntimeError(`was expecting embedding dimension of ${this.embedDim}, but got ${q.shape[q.ndim - 1]}`);
      }
      const [out, weights] = multiHeadAttentionForward(
        q,
        k,
        v,
        {
          numHeads: this.numHeads,
          inProjWeight: this._qkvSameEmbedDim ? this.in_proj_weight : null,
          inProjBias: this.in_proj_bias,
          qProjWeight: this.q_proj_weight ?? null,
          kProjWeight: this.k_proj_weight ?? null,
          vProjWeight: this.v_proj_weight ?? null,
          outProjWeight: this.out_proj.weight,
          outProjBias: this.out_proj.bias,
          biasK: this.bias_k,
          biasV: this.bias_v,
          addZeroAttn: this.addZeroAttn,
          dropoutP: this.dropout,
          training: this.training,
        },
        opts,
      );
      return [swap ? t(out).transpose(0, 1) : out, weights] as [Tensor, Tensor | null];
    });
  }
}

export type Activation = 'relu' | 'gelu' | ((x: Tensor) => Tensor);

export interface TransformerLayerOptions extends Factory {
  dimFeedforward?: number;
  dropout?: number;
  activation?: Activation;
  layerNormEps?: number;
  batchFirst?: boolean;
  normFirst?: boolean;
}

function activationFn(a: Activation): (x: Tensor) => Tensor {
  if (a === 'relu') return (x) => relu(x);
  if (a === 'gelu') return (x) => gelu(x);
  if (typeof a === 'function') return a;
  throw new RuntimeError(`activation should be relu/gelu, not ${String(a)}`);
}

/** Copies every parameter and buffer of `src` into the same-named tensors of `dst` (a deep copy of values). */
function copyState(dst: Module, src: Module): void {
  const from = src.stateDict();
  noGrad(() => {
    for (const [name, tensor] of dst.stateDict({ keepVars: true })) tensor.copy_(from.get(name)!);
  });
}

/** Shared by the encoder and decoder layers: the feed-forward block and its configuration. */
abstract class TransformerLayerBase extends Module {
  declare dModel: number;
  declare nhead: number;
  declare normFirst: boolean;
  declare activation: Activation;
  declare _opts: TransformerLayerOptions;
  declare linear1: Linear;
  declare dropout: Dropout;
  declare linear2: Linear;

  protected ffBlock(x: Tensor, drop: Dropout): Tensor {
    return withTemps((t) => {
      const h = t(this.linear2.call(t(this.dropout.call(t(activationFn(this.activation)(t(this.linear1.call(x))))))));
      return drop.call(h);
    });
  }

  /** A fresh layer with the same configuration and copies of the current weights (PyTorch's deepcopy). */
  abstract clone(): TransformerLayerBase;
}

export interface EncoderLayerForwardOptions {
  srcMask?: Tensor | null;
  srcKeyPaddingMask?: Tensor | null;
}

export class TransformerEncoderLayer extends TransformerLayerBase {
  declare self_attn: MultiheadAttention;
  declare norm1: LayerNorm;
  declare norm2: LayerNorm;
  declare dropout1: Dropout;
  declare dropout2: Dropout;

  constructor(dModel: number, nhead: number, opts: TransformerLayerOptions = {}) {
    super();
    this.dModel = dModel;
    this.nhead = nhead;
    this._opts = { ...opts };
    const f = { dtype: opts.dtype, device: opts.device };
    const p = opts.dropout ?? 0.1;
    const eps = opts.layerNormEps ?? 1e-5;
    this.self_attn = new MultiheadAttention(dModel, nhead, { ...f, dropout: p, batchFirst: opts.batchFirst ?? false });
    this.linear1 = new Linear(dModel, opts.dimFeedforward ?? 2048, f);
    this.dropout = new Dropout(p);
    this.linear2 = new Linear(opts.dimFeedforward ?? 2048, dModel, f);
    this.normFirst = opts.normFirst ?? false;
    this.norm1 = new LayerNorm(dModel, { ...f, eps });
    this.norm2 = new LayerNorm(dModel, { ...f, eps });
    this.dropout1 = new Dropout(p);
    this.dropout2 = new Dropout(p);
    this.activation = opts.activation ?? 'relu';
    activationFn(this.activation);
  }

  clone(): TransformerEncoderLayer {
    const c = new TransformerEncoderLayer(this.dModel, this.nhead, this._opts);
    copyState(c, this);
    c.train(this.training);
    return c;
  }

  private saBlock(x: Tensor, mask: Tensor | null, kpm: Tensor | null): Tensor {
    return withTemps((t) => {
      const [y] = this.self_attn.call(x, x, x, { attnMask: mask, keyPaddingMask: kpm, needWeights: false });
      return this.dropout1.call(t(y));
    });
  }

  forward(src: Tensor, opts: EncoderLayerForwardOptions = {}): Tensor {
    const mask = opts.srcMask ?? null;
    const kpm = opts.srcKeyPaddingMask ?? null;
    return withTemps((t) => {
      if (this.normFirst) {
        const x = t(src.add(t(this.saBlock(t(this.norm1.call(src)), mask, kpm))));
        return x.add(t(this.ffBlock(t(this.norm2.call(x)), this.dropout2)));
      }
      const x = t(this.norm1.call(t(src.add(t(this.saBlock(src, mask, kpm))))));
      return this.norm2.call(t(x.add(t(this.ffBlock(x, this.dropout2)))));
    });
  }
}

export interface DecoderLayerForwardOptions {
  tgtMask?: Tensor | null;
  memoryMask?: Tensor | null;
  tgtKeyPaddingMask?: Tensor | null;
  memoryKeyPaddingMask?: Tensor | null;
}

export class TransformerDecoderLayer extends TransformerLayerBase {
  declare self_attn: MultiheadAttention;
  declare multihead_attn: MultiheadAttention;
  declare norm1: LayerNorm;
  declare norm2: LayerNorm;
  declare norm3: LayerNorm;
  declare dropout1: Dropout;
  declare dropout2: Dropout;
  declare dropout3: Dropout;

  constructor(dModel: number, nhead: number, opts: TransformerLayerOptions = {}) {
    super();
    this.dModel = dModel;
    this.nhead = nhead;
    this._opts = { ...opts };
    const f = { dtype: opts.dtype, device: opts.device };
    const p = opts.dropout ?? 0.1;
    const eps = opts.layerNormEps ?? 1e-5;
    const batchFirst = opts.batchFirst ?? false;
    this.self_attn = new MultiheadAttention(dModel, nhead, { ...f, dropout: p, batchFirst });
    this.multihead_attn = new MultiheadAttention(dModel, nhead, { ...f, dropout: p, batchFirst });
    this.linear1 = new Linear(dModel, opts.dimFeedforward ?? 2048, f);
    this.dropout = new Dropout(p);
    this.linear2 = new Linear(opts.dimFeedforward ?? 2048, dModel, f);
    this.normFirst = opts.normFirst ?? false;
    this.norm1 = new LayerNorm(dModel, { ...f, eps });
    this.norm2 = new LayerNorm(dModel, { ...f, eps });
    this.norm3 = new LayerNorm(dModel, { ...f, eps });
    this.dropout1 = new Dropout(p);
    this.dropout2 = new Dropout(p);
    this.dropout3 = new Dropout(p);
    this.activation = opts.activation ?? 'relu';
    activationFn(this.activation);
  }

  clone(): TransformerDecoderLayer {
    const c = new TransformerDecoderLayer(this.dModel, this.nhead, this._opts);
    copyState(c, this);
    c.train(this.training);
    return c;
  }

  private attnBlock(attn: MultiheadAttention, drop: Dropout, x: Tensor, mem: Tensor, mask: Tensor | null, kpm: Tensor | null): Tensor {
    return withTemps((t) => {
      const [y] = attn.call(x, mem, mem, { attnMask: mask, keyPaddingMask: kpm, needWeights: false });
      return drop.call(t(y));
    });
  }

  forward(tgt: Tensor, memory: Tensor, opts: DecoderLayerForwardOptions = {}): Tensor {
    const tm = opts.tgtMask ?? null;
    const mm = opts.memoryMask ?? null;
    const tk = opts.tgtKeyPaddingMask ?? null;
    const mk = opts.memoryKeyPaddingMask ?? null;
    return withTemps((t) => {
      if (this.normFirst) {
        const n1 = t(this.norm1.call(tgt));
        let x = t(tgt.add(t(this.attnBlock(this.self_attn, this.dropout1, n1, n1, tm, tk))));
        x = t(x.add(t(this.attnBlock(this.multihead_attn, this.dropout2, t(this.norm2.call(x)), memory, mm, mk))));
        return x.add(t(this.ffBlock(t(this.norm3.call(x)), this.dropout3)));
      }
      let x = t(this.norm1.call(t(tgt.add(t(this.attnBlock(this.self_attn, this.dropout1, tgt, tgt, tm, tk))))));
      x = t(this.norm2.call(t(x.add(t(this.attnBlock(this.multihead_attn, this.dropout2, x, memory, mm, mk))))));
      return this.norm3.call(t(x.add(t(this.ffBlock(x, this.dropout3)))));
    });
  }
}

function checkNumLayers(n: number): void {
  if (!Number.isInteger(n) || n < 0) throw new ValueError(`numLayers must be a non-negative integer, got ${n}`);
}

/** A stack of numLayers copies of `encoderLayer` (named layers.0, layers.1, ...) and an optional final norm. */
export class TransformerEncoder extends Module {
  declare layers: ModuleList;
  declare numLayers: number;
  declare norm: Module | null;
  constructor(encoderLayer: TransformerEncoderLayer, numLayers: number, opts: { norm?: Module | null } = {}) {
    super();
    checkNumLayers(numLayers);
    this.layers = new ModuleList(Array.from({ length: numLayers }, () => encoderLayer.clone()));
    this.numLayers = numLayers;
    this.norm = opts.norm ?? null;
  }
  forward(src: Tensor, opts: { mask?: Tensor | null; srcKeyPaddingMask?: Tensor | null } = {}): Tensor {
    const layerOpts = { srcMask: opts.mask ?? null, srcKeyPaddingMask: opts.srcKeyPaddingMask ?? null };
    return runStack(src, this.layers as Iterable<TransformerEncoderLayer>, (layer, x) => layer.call(x, layerOpts), this.norm);
  }
}

/** Runs `input` through each layer then the optional norm, freeing each intermediate as it goes. */
function runStack<L>(input: Tensor, layers: Iterable<L>, step: (layer: L, x: Tensor) => Tensor, norm: Module | null): Tensor {
  let out = input;
  const advance = (next: Tensor): void => {
    if (out !== input) out.dispose();
    out = next;
  };
  for (const layer of layers) advance(step(layer, out));
  if (norm) advance((norm as LayerNorm).call(out));
  return out;
}

/** A stack of numLayers copies of `decoderLayer` (named layers.0, layers.1, ...) and an optional final norm. */
export class TransformerDecoder extends Module {
  declare layers: ModuleList;
  declare numLayers: number;
  declare norm: Module | null;
  constructor(decoderLayer: TransformerDecoderLayer, numLayers: number, opts: { norm?: Module | null } = {}) {
    super();
    checkNumLayers(numLayers);
    this.layers = new ModuleList(Array.from({ length: numLayers }, () => decoderLayer.clone()));
    this.numLayers = numLayers;
    this.norm = opts.norm ?? null;
  }
  forward(tgt: Tensor, memory: Tensor, opts: DecoderLayerForwardOptions = {}): Tensor {
    return runStack(tgt, this.layers as Iterable<TransformerDecoderLayer>, (layer, x) => layer.call(x, memory, opts), this.norm);
  }
}

export interface TransformerOptions extends Factory {
  dModel?: number;
  nhead?: number;
  numEncoderLayers?: number;
  numDecoderLayers?: number;
  dimFeedforward?: number;
  dropout?: number;
  activation?: Activation;
  customEncoder?: Module | null;
  customDecoder?: Module | null;
  layerNormEps?: number;
  batchFirst?: boolean;
  normFirst?: boolean;
}

export interface TransformerForwardOptions {
  srcMask?: Tensor | null;
  tgtMask?: Tensor | null;
  memoryMask?: Tensor | null;
  srcKeyPaddingMask?: Tensor | null;
  tgtKeyPaddingMask?: Tensor | null;
  memoryKeyPaddingMask?: Tensor | null;
}

/** Encoder-decoder Transformer (Vaswani et al.), with PyTorch's defaults and xavier_uniform_ on every matrix. */
export class Transformer extends Module {
  declare encoder: Module;
  declare decoder: Module;
  declare dModel: number;
  declare nhead: number;
  declare batchFirst: boolean;
  constructor(opts: TransformerOptions = {}) {
    super();
    const dModel = opts.dModel ?? 512;
    const nhead = opts.nhead ?? 8;
    const f = { dtype: opts.dtype, device: opts.device };
    const layerOpts: TransformerLayerOptions = {
      ...f,
      dimFeedforward: opts.dimFeedforward ?? 2048,
      dropout: opts.dropout ?? 0.1,
      activation: opts.activation ?? 'relu',
      layerNormEps: opts.layerNormEps ?? 1e-5,
      batchFirst: opts.batchFirst ?? false,
      normFirst: opts.normFirst ?? false,
    };
    const eps = opts.layerNormEps ?? 1e-5;
    this.encoder =
      opts.customEncoder ??
      new TransformerEncoder(new TransformerEncoderLayer(dModel, nhead, layerOpts), opts.numEncoderLayers ?? 6, { norm: new LayerNorm(dModel, { ...f, eps }) });
    this.decoder =
      opts.customDecoder ??
      new TransformerDecoder(new TransformerDecoderLayer(dModel, nhead, layerOpts), opts.numDecoderLayers ?? 6, { norm: new LayerNorm(dModel, { ...f, eps }) });
    this.dModel = dModel;
    this.nhead = nhead;
    this.batchFirst = opts.batchFirst ?? false;
    for (const p of this.parameters()) if (p.ndim > 1) init.xavierUniform_(p);
  }

  forward(src: Tensor, tgt: Tensor, opts: TransformerForwardOptions = {}): Tensor {
    const batched = src.ndim === 3;
    if (!this.batchFirst && batched && src.shape[1] !== tgt.shape[1]) throw new RuntimeError('the batch number of src and tgt must be equal');
    if (this.batchFirst && batched && src.shape[0] !== tgt.shape[0]) throw new RuntimeError('the batch number of src and tgt must be equal');
    if (src.shape[src.ndim - 1] !== this.dModel || tgt.shape[tgt.ndim - 1] !== this.dModel) {
      throw new RuntimeError('the feature number of src and tgt must be equal to d_model');
    }
    const memory = (this.encoder as TransformerEncoder).call(src, { mask: opts.srcMask ?? null, srcKeyPaddingMask: opts.srcKeyPaddingMask ?? null });
    const out = (this.decoder as TransformerDecoder).call(tgt, memory, {
      tgtMask: opts.tgtMask ?? null,
      memoryMask: opts.memoryMask ?? null,
      tgtKeyPaddingMask: opts.tgtKeyPaddingMask ?? null,
      memoryKeyPaddingMask: opts.memoryKeyPaddingMask ?? null,
    });
    if (memory !== src) memory.dispose();
    return out;
  }

  /** A float [sz, sz] mask with -inf above the diagonal (position i may attend to j <= i). */
  static generateSquareSubsequentMask(sz: number, opts: Factory = {}): Tensor {
    return withTemps((t) => t(core.full([sz, sz], -Infinity, { dtype: opts.dtype, device: opts.device })).triu(1));
  }
}
