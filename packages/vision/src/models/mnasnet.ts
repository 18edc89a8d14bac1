/** MNASNet B1 (Tan et al., 2018) with torchvision's depth multipliers 0.5 / 0.75 / 1.0 / 1.3 and keys. */
import { ValueError, tidy } from '@torchts/core';
import type { Tensor } from '@torchts/core';
import { BatchNorm2d, Conv2d, Dropout, Linear, Module, ReLU, Sequential, init } from '@torchts/nn';
import { callModule, checkPositiveInt, makeDivisible, withWeights } from './common.js';
import type { BuilderOptions } from './common.js';

/** torchvision's BatchNorm momentum for MNASNet: 1 - 0.9997 (TensorFlow's decay). */
const BN_MOMENTUM = 1 - 0.9997;

// Named as torchvision's private class so printouts match; exported as MNASNetInvertedResidual.
class _InvertedResidual extends Module {
  declare applyResidual: boolean;
  declare layers: Sequential;

  constructor(inCh: number, outCh: number, kernelSize: number, stride: number, expansionFactor: number, bnMomentum = 0.1) {
    super();
    if (stride !== 1 && stride !== 2) throw new ValueError(`stride should be 1 or 2 instead of ${stride}`);
    if (kernelSize !== 3 && kernelSize !== 5) throw new ValueError(`kernel_size should be 3 or 5 instead of ${kernelSize}`);
    const mid = inCh * expansionFactor;
    const bn = (c: number): BatchNorm2d => new BatchNorm2d(c, { momentum: bnMomentum });
    this.applyResidual = inCh === outCh && stride === 1;
    this.layers = new Sequential(
      new Conv2d(inCh, mid, 1, { bias: false }), bn(mid), new ReLU({ inplace: true }),
      new Conv2d(mid, mid, kernelSize, { padding: Math.floor(kernelSize / 2), stride, groups: mid, bias: false }), bn(mid), new ReLU({ inplace: true }),
      new Conv2d(mid, outCh, 1, { bias: false }), bn(outCh),
    );
  }

  forward(input: Tensor): Tensor {
    return tidy(() => {
      const out = callModule(this.layers, input);
      return this.applyResidual ? out.add_(input) : out;
    });
  }
}
export { _InvertedResidual as MNASNetInvertedResidual };

function stack(inCh: number, outCh: number, kernel: number, stride: number, expansion: number, repeats: number): Sequential {
  const blocks = [new _InvertedResidual(inCh, outCh, kernel, stride, expansion, BN_MOMENTUM)];
  for (let i = 1; i < repeats; i++) blocks.push(new _InvertedResidual(outCh, outCh, kernel, 1, expansion, BN_MOMENTUM));
  return new Sequential(...blocks);
}

export interface MNASNetOptions {
  numClasses?: number;
  dropout?: number;
}

export class MNASNet extends Module {
  declare alpha: number;
  declare numClasses: number;
  declare layers: Sequential;
  declare classifier: Sequential;

  /** `alpha` scales every width (rounded to multiples of 8). */
  constructor(alpha: number, opts: MNASNetOptions = {}) {
    super();
    if (!(alpha > 0)) throw new ValueError(`alpha should be greater than 0.0 instead of ${alpha}`);
    this.alpha = alpha;
    this.numClasses = checkPositiveInt('numClasses', opts.numClasses ?? 1000);
    const d = [32, 16, 24, 40, 80, 96, 192, 320].map((c) => makeDivisible(c * alpha, 8));
    const bn = (c: number): BatchNorm2d => new BatchNorm2d(c, { momentum: BN_MOMENTUM });
    const relu = (): ReLU => new ReLU({ inplace: true });
    this.layers = new Sequential(
      new Conv2d(3, d[0]!, 3, { padding: 1, stride: 2, bias: false }), bn(d[0]!), relu(),
      new Conv2d(d[0]!, d[0]!, 3, { padding: 1, groups: d[0]!, bias: false }), bn(d[0]!), relu(),
      new Conv2d(d[0]!, d[1]!, 1, { bias: false }), bn(d[1]!),
      stack(d[1]!, d[2]!, 3, 2, 3, 3), stack(d[2]!, d[3]!, 5, 2, 3, 3), stack(d[3]!, d[4]!, 5, 2, 6, 3),
      stack(d[4]!, d[5]!, 3, 1, 6, 2), stack(d[5]!, d[6]!, 5, 2, 6, 4), stack(d[6]!, d[7]!, 3, 1, 6, 1),
      new Conv2d(d[7]!, 1280, 1, { bias: false }), bn(1280), relu(),
    );
    this.classifier = new Sequential(new Dropout(opts.dropout ?? 0.2, { inplace: true }), new Linear(1280, this.numClasses));
    for (const m of this.modules()) {
      if (m instanceof Conv2d) {
        init.kaimingNormal_(m.weight, { mode: 'fan_out', nonlinearity: 'relu' });
        if (m.bias) init.zeros_(m.bias);
      } else if (m instanceof BatchNorm2d) {
        init.ones_(m.weight!);
        init.zeros_(m.bias!);
      } else if (m instanceof Linear) {
        init.kaimingUniform_(m.weight, { mode: 'fan_out', nonlinearity: 'sigmoid' });
        if (m.bias) init.zeros_(m.bias);
      }
    }
  }

  forward(x: Tensor): Tensor {
    return tidy(() => callModule(this.classifier, callModule(this.layers, x).mean([2, 3])));
  }
}

const mnasnet = (alpha: number) => (opts: BuilderOptions & MNASNetOptions = {}): MNASNet => withWeights(new MNASNet(alpha, opts), opts.weights);

export const mnasnet0_5 = mnasnet(0.5);
export const mnasnet0_75 = mnasnet(0.75);
export const mnasnet1_0 = mnasnet(1.0);
export const mnasnet1_3 = mnasnet(1.3);
