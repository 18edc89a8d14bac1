/** ShuffleNetV2 (Ma et al., 2018): channel split, two branches, channel shuffle; torchvision's x0.5-x2.0 widths. */
import { ValueError, cat, tidy } from '@torchts/core';
import type { Tensor } from '@torchts/core';
import { BatchNorm2d, Conv2d, Linear, MaxPool2d, Module, ReLU, Sequential } from '@torchts/nn';
import { callModule, checkPositiveInt, withWeights } from './common.js';
import type { BuilderOptions } from './common.js';

/** Interleaves the channels of `groups` groups: [N, g*c, H, W] -> view [N, g, c, H, W] -> transpose -> flatten. */
export function channelShuffle(x: Tensor, groups: number): Tensor {
  const [n, c, h, w] = x.shape as [number, number, number, number];
  return tidy(() => x.view([n, groups, c / groups, h, w]).transpose(1, 2).contiguous().view([n, -1, h, w]));
}

const depthwise = (i: number, o: number, stride: number): Conv2d => new Conv2d(i, o, 3, { stride, padding: 1, bias: false, groups: i });
const conv1x1 = (i: number, o: number): Conv2d => new Conv2d(i, o, 1, { bias: false });

/** ShuffleNetV2's unit, named InvertedResidual as in torchvision (exported as ShuffleUnit). */
class InvertedResidual extends Module {
  declare stride: number;
  declare branch1: Sequential;
  declare branch2: Sequential;

  constructor(inp: number, oup: number, stride: number) {
    super();
    if (!(stride >= 1 && stride <= 3)) throw new ValueError('illegal stride value');
    this.stride = stride;
    const bf = Math.floor(oup / 2);
    if (stride === 1 && inp !== bf * 2) {
      throw new ValueError(`Invalid combination of stride ${stride}, inp ${inp} and oup ${oup} values. If stride == 1 then inp should be equal to oup // 2 << 1.`);
    }
    this.branch1 = stride > 1
      ? new Sequential(depthwise(inp, inp, stride), new BatchNorm2d(inp), conv1x1(inp, bf), new BatchNorm2d(bf), new ReLU({ inplace: true }))
      : new Sequential();
    this.branch2 = new Sequential(
      conv1x1(stride > 1 ? inp : bf, bf), new BatchNorm2d(bf), new ReLU({ inplace: true }),
      depthwise(bf, bf, stride), new BatchNorm2d(bf),
      conv1x1(bf, bf), new BatchNorm2d(bf), new ReLU({ inplace: true }),
    );
  }

  forward(x: Tensor): Tensor {
    return tidy(() => {
      let out: Tensor;
      if (this.stride === 1) {
        const [x1, x2] = x.chunk(2, 1) as [Tensor, Tensor];
        out = cat([x1, callModule(this.branch2, x2)], 1);
      } else out = cat([callModule(this.branch1, x), callModule(this.branch2, x)], 1);
      return channelShuffle(out, 2);
    });
  }
}

export { InvertedResidual as ShuffleUnit };

export interface ShuffleNetV2Options {
  numClasses?: number;
}

export class ShuffleNetV2 extends Module {
  declare conv1: Sequential;
  declare maxpool: MaxPool2d;
  declare stage2: Sequential;
  declare stage3: Sequential;
  declare stage4: Sequential;
  declare conv5: Sequential;
  declare fc: Linear;

  constructor(stagesRepeats: number[], stagesOutChannels: number[], opts: ShuffleNetV2Options = {}) {
    super();
    if (stagesRepeats.length !== 3) throw new ValueError('expected stages_repeats as list of 3 positive ints');
    if (stagesOutChannels.length !== 5) throw new ValueError('expected stages_out_channels as list of 5 positive ints');
    const numClasses = checkPositiveInt('numClasses', opts.numClasses ?? 1000);
    let inC = stagesOutChannels[0]!;
    this.conv1 = new Sequential(new Conv2d(3, inC, 3, { stride: 2, padding: 1, bias: false }), new BatchNorm2d(inC), new ReLU({ inplace: true }));
    this.maxpool = new MaxPool2d(3, { stride: 2, padding: 1 });
    const stages = stagesRepeats.map((repeats, i) => {
      const outC = stagesOutChannels[i + 1]!;
      const units = [new InvertedResidual(inC, outC, 2)];
      for (let r = 1; r < repeats; r++) units.push(new InvertedResidual(outC, outC, 1));
      inC = outC;
      return new Sequential(...units);
    });
    [this.stage2, this.stage3, this.stage4] = stages as [Sequential, Sequential, Sequential];
    const last = stagesOutChannels[4]!;
    this.conv5 = new Sequential(conv1x1(inC, last), new BatchNorm2d(last), new ReLU({ inplace: true }));
    this.fc = new Linear(last, numClasses);
  }

  forward(x: Tensor): Tensor {
    return tidy(() => {
      let h = this.maxpool.call(callModule(this.conv1, x)) as Tensor;
      for (const m of [this.stage2, this.stage3, this.stage4, this.conv5]) h = callModule(m, h);
      return this.fc.call(h.mean([2, 3]));
    });
  }
}

const shufflenet = (channels: number[]) => (opts: BuilderOptions & ShuffleNetV2Options = {}): ShuffleNetV2 =>
  withWeights(new ShuffleNetV2([4, 8, 4], channels, opts), opts.weights);

export const shufflenetV2X0_5 = shufflenet([24, 48, 96, 192, 1024]);
export const shufflenetV2X1_0 = shufflenet([24, 116, 232, 464, 1024]);
export const shufflenetV2X1_5 = shufflenet([24, 176, 352, 704, 1024]);
export const shufflenetV2X2_0 = shufflenet([24, 244, 488, 976, 2048]);
