/** Embedding: a lookup table initialised N(0, 1), the padding row zeroed. */
import * as core from '@torchts/core';
import { RuntimeError } from '@torchts/core';
import type { Tensor } from '@torchts/core';
import { noGrad } from '@torchts/autograd';
import { Module } from '../module.js';
import { Parameter } from '../parameter.js';
import * as init from '../init.js';
import { embedding } from '../functional/embedding.js';
import type { FactoryOptions } from './linear.js';
import { pyBool, pyNumber } from './repr.js';

/** A padding index wrapped into [0, numEmbeddings), with PyTorch's message (`what` is its spelling). */
export function wrapPaddingIdx(pad: number | null, numEmbeddings: number, what: string): number | null {
  if (pad === null) return null;
  if (pad >= numEmbeddings || pad < -numEmbeddings) throw new RuntimeError(`${what} must be within num_embeddings`);
  return pad < 0 ? pad + numEmbeddings : pad;
}

/** The weight parameter of an embedding table: the given `_weight` (shape-checked) or a new one. */
export function embeddingWeight(numEmbeddings: number, embeddingDim: number, opts: FactoryOptions & { _weight?: Tensor }): Tensor {
  if (opts._weight) {
    if (opts._weight.shape.join() !== `${numEmbeddings},${embeddingDim}`) throw new RuntimeError('Shape of weight does not match num_embeddings and embedding_dim');
    return Parameter(opts._weight);
  }
  return Parameter(core.empty([numEmbeddings, embeddingDim], { dtype: opts.dtype, device: opts.device }));
}

/** PyTorch's embedding init: N(0, 1), then zeros in the padding row. */
export function resetEmbedding(weight: Tensor, paddingIdx: number | null): void {
  init.normal_(weight);
  if (paddingIdx !== null) noGrad(() => weight.select(0, paddingIdx).fill_(0));
}

export interface EmbeddingModuleOptions extends FactoryOptions {
  paddingIdx?: number | null;
  maxNorm?: number | null;
  normType?: number;
  scaleGradByFreq?: boolean;
  sparse?: boolean;
  _weight?: Tensor;
}

export class Embedding extends Module {
  declare numEmbeddings: number;
  declare embeddingDim: number;
  declare paddingIdx: number | null;
  declare maxNorm: number | null;
  declare normType: number;
  declare scaleGradByFreq: boolean;
  declare sparse: boolean;
  declare weight: Tensor;
  constructor(numEmbeddings: number, embeddingDim: number, opts: EmbeddingModuleOptions = {}) {
    super();
    this.numEmbeddings = numEmbeddings;
    this.embeddingDim = embeddingDim;
    this.paddingIdx = wrapPaddingIdx(opts.paddingIdx ?? null, numEmbeddings, 'Padding_idx');
    this.maxNorm = opts.maxNorm ?? null;
    this.normType = opts.normType ?? 2;
    this.scaleGradByFreq = opts.scaleGradByFreq ?? false;
    this.sparse = opts.sparse ?? false;
    this.weight = embeddingWeight(numEmbeddings, embeddingDim, opts);
    if (!opts._weight) this.resetParameters();
  }

  resetParameters(): void {
    resetEmbedding(this.weight, this.paddingIdx);
  }

  /** An Embedding over `embeddings` (frozen unless `freeze: false`). */
  static fromPretrained(embeddings: Tensor, opts: Omit<EmbeddingModuleOptions, '_weight'> & { freeze?: boolean } = {}): Embedding {
    if (embeddings.ndim !== 2) throw new RuntimeError('Embeddings parameter is expected to be 2-dimensional');
    const [rows, cols] = embeddings.shape as [number, number];
    const e = new Embedding(rows, cols, { ...opts, _weight: embeddings });
    e.weight.requiresGrad = !(opts.freeze ?? true);
    return e;
  }

  forward(input: Tensor): Tensor {
    return embedding(input, this.weight, {
      paddingIdx: this.paddingIdx,
      maxNorm: this.maxNorm,
      normType: this.normType,
      scaleGradByFreq: this.scaleGradByFreq,
      sparse: this.sparse,
    });
  }

  override extraRepr(): string {
    let s = `${this.numEmbeddings}, ${this.embeddingDim}`;
    if (this.paddingIdx !== null) s += `, padding_idx=${this.paddingIdx}`;
    if (this.maxNorm !== null) s += `, max_norm=${pyNumber(this.maxNorm)}`;
    if (this.normType !== 2) s += `, norm_type=${pyNumber(this.normType)}`;
    if (this.scaleGradByFreq) s += `, scale_grad_by_freq=${pyBool(this.scaleGradByFreq)}`;
    if (this.sparse) s += ', sparse=True';
    return s;
  }
}
