/** EmbeddingBag: an Embedding whose rows are summed, averaged or maxed per bag (F.embeddingBag). */
import { RuntimeError, ValueError } from '@torchts/core';
import type { Tensor } from '@torchts/core';
import { Module } from '../module.js';
import { embeddingBag } from '../functional/embedding-bag.js';
import type { EmbeddingBagMode } from '../functional/embedding-bag.js';
import type { FactoryOptions } from './linear.js';
import { pyBool, pyNumber } from './repr.js';
import { embeddingWeight, resetEmbedding, wrapPaddingIdx } from './embedding.js';

export type { EmbeddingBagMode } from '../functional/embedding-bag.js';

export interface EmbeddingBagModuleOptions extends FactoryOptions {
  maxNorm?: number | null;
  normType?: number;
  scaleGradByFreq?: boolean;
  mode?: EmbeddingBagMode;
  sparse?: boolean;
  _weight?: Tensor;
  includeLastOffset?: boolean;
  paddingIdx?: number | null;
}

export class EmbeddingBag extends Module {
  declare numEmbeddings: number;
  declare embeddingDim: number;
  declare maxNorm: number | null;
  declare normType: number;
  declare scaleGradByFreq: boolean;
  declare mode: EmbeddingBagMode;
  declare sparse: boolean;
  declare includeLastOffset: boolean;
  declare paddingIdx: number | null;
  declare weight: Tensor;
  constructor(numEmbeddings: number, embeddingDim: number, opts: EmbeddingBagModuleOptions = {}) {
    super();
    this.numEmbeddings = numEmbeddings;
    this.embeddingDim = embeddingDim;
    this.maxNorm = opts.maxNorm ?? null;
    this.normType = opts.normType ?? 2;
    this.scaleGradByFreq = opts.scaleGradByFreq ?? false;
    const mode = opts.mode ?? 'mean';
    if (mode !== 'sum' && mode !== 'mean' && mode !== 'max') throw new ValueError('mode has to be one of sum, mean or max');
    this.mode = mode;
    this.sparse = opts.sparse ?? false;
    this.includeLastOffset = opts.includeLastOffset ?? false;
    this.paddingIdx = wrapPaddingIdx(opts.paddingIdx ?? null, numEmbeddings, 'padding_idx');
    this.weight = embeddingWeight(numEmbeddings, embeddingDim, opts);
    if (!opts._weight) this.resetParameters();
  }

  resetParameters(): void {
    resetEmbedding(this.weight, this.paddingIdx);
  }

  /** An EmbeddingBag over `embeddings` (frozen unless `freeze: false`). */
  static fromPretrained(embeddings: Tensor, opts: Omit<EmbeddingBagModuleOptions, '_weight'> & { freeze?: boolean } = {}): EmbeddingBag {
    if (embeddings.ndim !== 2) throw new RuntimeError('Embeddings parameter is expected to be 2-dimensional');
    const [rows, cols] = embeddings.shape as [number, number];
    const e = new EmbeddingBag(rows, cols, { ...opts, _weight: embeddings });
    e.weight.requiresGrad = !(opts.freeze ?? true);
    return e;
  }

  /** `forward(input, offsets?, perSampleWeights?)`. */
  forward(input: Tensor, offsets: Tensor | null = null, perSampleWeights: Tensor | null = null): Tensor {
    return embeddingBag(input, this.weight, {
      offsets,
      perSampleWeights,
      maxNorm: this.maxNorm,
      normType: this.normType,
      scaleGradByFreq: this.scaleGradByFreq,
      mode: this.mode,
      sparse: this.sparse,
      includeLastOffset: this.includeLastOffset,
      paddingIdx: this.paddingIdx,
    });
  }

  override extraRepr(): string {
    let s = `${this.numEmbeddings}, ${this.embeddingDim}`;
    if (this.maxNorm !== null) s += `, max_norm=${pyNumber(this.maxNorm)}`;
    if (this.normType !== 2) s += `, norm_type=${pyNumber(this.normType)}`;
    if (this.scaleGradByFreq) s += `, scale_grad_by_freq=${pyBool(this.scaleGradByFreq)}`;
    s += `, mode=${this.mode}`;
    if (this.paddingIdx !== null) s += `, padding_idx=${this.paddingIdx}`;
    return s;
  }
}
