/**
 * Loss modules: thin wrappers holding the options of the functional losses. Class weights and
 * pos_weight are buffers named as in PyTorch (`weight`, `pos_weight`), so state dicts match.
 */
import type { Tensor } from '@torchts/core';
import { Module } from '../module.js';
import * as L from '../functional/loss.js';
import type { Reduction } from '../functional/loss.js';
import { ctcLoss } from '../functional/ctc.js';

interface ReductionOpts { reduction?: Reduction }

abstract class Loss extends Module {
  declare reduction: string;
  constructor(reduction: string) {
    super();
    this.reduction = reduction;
  }
}

/** A loss with an optional per-class `weight` buffer. */
abstract class WeightedLoss extends Loss {
  constructor(weight: Tensor | null | undefined, reduction: string) {
    super(reduction);
    this.registerBuffer('weight', weight ?? null);
  }
  protected get classWeight(): Tensor | null {
    return (this as unknown as { weight: Tensor | null }).weight;
  }
}

export class L1Loss extends Loss {
  constructor(opts: ReductionOpts = {}) { super(opts.reduction ?? 'mean'); }
  forward(input: Tensor, target: Tensor): Tensor {
    return L.l1Loss(input, target, { reduction: this.reduction as Reduction });
  }
}

export class MSELoss extends Loss {
  constructor(opts: ReductionOpts = {}) { super(opts.reduction ?? 'mean'); }
  forward(input: Tensor, target: Tensor): Tensor {
    return L.mseLoss(input, target, { reduction: this.reduction as Reduction });
  }
}

export class SmoothL1Loss extends Loss {
  declare beta: number;
  constructor(opts: ReductionOpts & { beta?: number } = {}) {
    super(opts.reduction ?? 'mean');
    this.beta = opts.beta ?? 1.0;
  }
  forward(input: Tensor, target: Tensor): Tensor {
    return L.smoothL1Loss(input, target, { reduction: this.reduction as Reduction, beta: this.beta });
  }
}

export class HuberLoss extends Loss {
  declare delta: number;
  constructor(opts: ReductionOpts & { delta?: number } = {}) {
    super(opts.reduction ?? 'mean');
    this.delta = opts.delta ?? 1.0;
  }
  forward(input: Tensor, target: Tensor): Tensor {
    return L.huberLoss(input, target, { reduction: this.reduction as Reduction, delta: this.delta });
  }
}

export class NLLLoss extends WeightedLoss {
  declare ignoreIndex: number;
  constructor(opts: ReductionOpts & { weight?: Tensor | null; ignoreIndex?: number } = {}) {
    super(opts.weight, opts.reduction ?? 'mean');
    this.ignoreIndex = opts.ignoreIndex ?? -100;
  }
  forward(input: Tensor, target: Tensor): Tensor {
    return L.nllLoss(input, target, { weight: this.classWeight, ignoreIndex: this.ignoreIndex, reduction: this.reduction as Reduction });
  }
}

export class CrossEntropyLoss extends WeightedLoss {
  declare ignoreIndex: number;
  declare labelSmoothing: number;
  constructor(opts: ReductionOpts & { weight?: Tensor | null; ignoreIndex?: number; labelSmoothing?: number } = {}) {
    super(opts.weight, opts.reduction ?? 'mean');
    this.ignoreIndex = opts.ignoreIndex ?? -100;
    this.labelSmoothing = opts.labelSmoothing ?? 0.0;
  }
  forward(input: Tensor, target: Tensor): Tensor {
    return L.crossEntropy(input, target, {
      weight: this.classWeight, ignoreIndex: this.ignoreIndex, reduction: this.reduction as Reduction, labelSmoothing: this.labelSmoothing,
    });
  }
}

export class BCELoss extends WeightedLoss {
  constructor(opts: ReductionOpts & { weight?: Tensor | null } = {}) { super(opts.weight, opts.reduction ?? 'mean'); }
  forward(input: Tensor, target: Tensor): Tensor {
    return L.binaryCrossEntropy(input, target, { weight: this.classWeight, reduction: this.reduction as Reduction });
  }
}

export class BCEWithLogitsLoss extends WeightedLoss {
  constructor(opts: ReductionOpts & { weight?: Tensor | null; posWeight?: Tensor | null } = {}) {
    super(opts.weight, opts.reduction ?? 'mean');
    this.registerBuffer('pos_weight', opts.posWeight ?? null);
  }
  forward(input: Tensor, target: Tensor): Tensor {
    const posWeight = (this as unknown as { pos_weight: Tensor | null }).pos_weight;
    return L.binaryCrossEntropyWithLogits(input, target, { weight: this.classWeight, posWeight, reduction: this.reduction as Reduction });
  }
}

export class KLDivLoss extends Loss {
  declare logTarget: boolean;
  constructor(opts: { reduction?: Reduction | 'batchmean'; logTarget?: boolean } = {}) {
    super(opts.reduction ?? 'mean');
    this.logTarget = opts.logTarget ?? false;
  }
  forward(input: Tensor, target: Tensor): Tensor {
    return L.klDiv(input, target, { reduction: this.reduction as Reduction | 'batchmean', logTarget: this.logTarget });
  }
}

export class PoissonNLLLoss extends Loss {
  declare logInput: boolean;
  declare full: boolean;
  declare eps: number;
  constructor(opts: ReductionOpts & { logInput?: boolean; full?: boolean; eps?: number } = {}) {
    super(opts.reduction ?? 'mean');
    this.logInput = opts.logInput ?? true;
    this.full = opts.full ?? false;
    this.eps = opts.eps ?? 1e-8;
  }
  forward(logInput: Tensor, target: Tensor): Tensor {
    return L.poissonNllLoss(logInput, target, { logInput: this.logInput, full: this.full, eps: this.eps, reduction: this.reduction as Reduction });
  }
}

export class GaussianNLLLoss extends Loss {
  declare full: boolean;
  declare eps: number;
  constructor(opts: ReductionOpts & { full?: boolean; eps?: number } = {}) {
    super(opts.reduction ?? 'mean');
    this.full = opts.full ?? false;
    this.eps = opts.eps ?? 1e-6;
  }
  forward(input: Tensor, target: Tensor, variance: Tensor): Tensor {
    return L.gaussianNllLoss(input, target, variance, { full: this.full, eps: this.eps, reduction: this.reduction as Reduction });
  }
}

abstract class MarginLoss extends Loss {
  declare margin: number;
  constructor(margin: number, reduction: string) {
    super(reduction);
    this.margin = margin;
  }
}

export class CosineEmbeddingLoss extends MarginLoss {
  constructor(opts: ReductionOpts & { margin?: number } = {}) { super(opts.margin ?? 0, opts.reduction ?? 'mean'); }
  forward(input1: Tensor, input2: Tensor, target: Tensor): Tensor {
    return L.cosineEmbeddingLoss(input1, input2, target, { margin: this.margin, reduction: this.reduction as Reduction });
  }
}

export class MarginRankingLoss extends MarginLoss {
  constructor(opts: ReductionOpts & { margin?: number } = {}) { super(opts.margin ?? 0, opts.reduction ?? 'mean'); }
  forward(input1: Tensor, input2: Tensor, target: Tensor): Tensor {
    return L.marginRankingLoss(input1, input2, target, { margin: this.margin, reduction: this.reduction as Reduction });
  }
}

export class HingeEmbeddingLoss extends MarginLoss {
  constructor(opts: ReductionOpts & { margin?: number } = {}) { super(opts.margin ?? 1.0, opts.reduction ?? 'mean'); }
  forward(input: Tensor, target: Tensor): Tensor {
    return L.hingeEmbeddingLoss(input, target, { margin: this.margin, reduction: this.reduction as Reduction });
  }
}

export class MultiMarginLoss extends WeightedLoss {
  declare p: number;
  declare margin: number;
  constructor(opts: ReductionOpts & { p?: number; margin?: number; weight?: Tensor | null } = {}) {
    super(opts.weight, opts.reduction ?? 'mean');
    const p = opts.p ?? 1;
    if (p !== 1 && p !== 2) throw new Error('only p == 1 and p == 2 supported');
    this.p = p;
    this.margin = opts.margin ?? 1.0;
  }
  forward(input: Tensor, target: Tensor): Tensor {
    return L.multiMarginLoss(input, target, { p: this.p, margin: this.margin, weight: this.classWeight, reduction: this.reduction as Reduction });
  }
}

export class MultiLabelMarginLoss extends Loss {
  constructor(opts: ReductionOpts = {}) { super(opts.reduction ?? 'mean'); }
  forward(input: Tensor, target: Tensor): Tensor {
    return L.multilabelMarginLoss(input, target, { reduction: this.reduction as Reduction });
  }
}

export class MultiLabelSoftMarginLoss extends WeightedLoss {
  constructor(opts: ReductionOpts & { weight?: Tensor | null } = {}) { super(opts.weight, opts.reduction ?? 'mean'); }
  forward(input: Tensor, target: Tensor): Tensor {
    return L.multilabelSoftMarginLoss(input, target, { weight: this.classWeight, reduction: this.reduction as Reduction });
  }
}

export class SoftMarginLoss extends Loss {
  constructor(opts: ReductionOpts = {}) { super(opts.reduction ?? 'mean'); }
  forward(input: Tensor, target: Tensor): Tensor {
    return L.softMarginLoss(input, target, { reduction: this.reduction as Reduction });
  }
}

export class TripletMarginLoss extends MarginLoss {
  declare p: number;
  declare eps: number;
  declare swap: boolean;
  constructor(opts: ReductionOpts & { margin?: number; p?: number; eps?: number; swap?: boolean } = {}) {
    super(opts.margin ?? 1.0, opts.reduction ?? 'mean');
    this.p = opts.p ?? 2;
    this.eps = opts.eps ?? 1e-6;
    this.swap = opts.swap ?? false;
  }
  forward(anchor: Tensor, positive: Tensor, negative: Tensor): Tensor {
    return L.tripletMarginLoss(anchor, positive, negative, {
      margin: this.margin, p: this.p, eps: this.eps, swap: this.swap, reduction: this.reduction as Reduction,
    });
  }
}

export class CTCLoss extends Loss {
  declare blank: number;
  declare zeroInfinity: boolean;
  constructor(opts: ReductionOpts & { blank?: number; zeroInfinity?: boolean } = {}) {
    super(opts.reduction ?? 'mean');
    this.blank = opts.blank ?? 0;
    this.zeroInfinity = opts.zeroInfinity ?? false;
  }
  forward(logProbs: Tensor, targets: Tensor, inputLengths: Tensor | number[], targetLengths: Tensor | number[]): Tensor {
    return ctcLoss(logProbs, targets, inputLengths, targetLengths, {
      blank: this.blank, zeroInfinity: this.zeroInfinity, reduction: this.reduction as Reduction,
    });
  }
}
