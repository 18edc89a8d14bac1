import { describe, expect, it } from 'vitest';
import '@torchts/backend-cpu';
import '@torchts/autograd';
import * as torch from '@torchts/core';
import { Generator, Tensor, ValueError, memory } from '@torchts/core';
import { gradcheck } from '@torchts/autograd';
import { transforms as T } from '../src/index.js';
import { decodeTensor, fixture } from './helpers.js';
import type { Enc } from './helpers.js';

const F = T.functional;
const inputs = fixture<{ inputs: Record<string, Enc> }>('transforms.json').inputs;
const u8 = decodeTensor(inputs.u8!);
const f32 = decodeTensor(inputs.f32!);
const batch = decodeTensor(inputs.batch!);
const same = (a: Tensor, b: Tensor): boolean => a.shape.join() === b.shape.join() && a.to('float64').sub(b.to('float64')).abs().max().item() === 0;

describe('random transforms: properties that hold for any seed', () => {
  it('reproducible under torch.manualSeed and with their own generator', () => {
    const ts = [
      new T.RandomResizedCrop(5), new T.RandomCrop(6, { padding: 1 }), new T.RandomRotation(45), new T.RandomAffine(30, { translate: [0.2, 0.2], shear: 10 }),
      new T.ColorJitter({ brightness: 0.5, hue: 0.2 }), new T.RandomErasing({ p: 1, value: 'random' }), new T.TrivialAugmentWide(), new T.RandAugment(),
      new T.AutoAugment('cifar10'), new T.RandomPerspective({ p: 1 }), new T.GaussianBlur(5),
    ];
    for (const t of ts) {
      torch.manualSeed(123);
      const a = t.call(u8);
      torch.manualSeed(123);
      const b = t.call(u8);
      expect(same(a, b), t.constructor.name).toBe(true);
    }
    const g1 = new Generator().manualSeed(7);
    const g2 = new Generator().manualSeed(7);
    const a = new T.RandomResizedCrop(4, { generator: g1 }).call(u8);
    torch.manualSeed(99); // the default generator does not matter
    const b = new T.RandomResizedCrop(4, { generator: g2 }).call(u8);
    expect(same(a, b)).toBe(true);
  });

  it('outputs keep dtype and range, and sizes are what was asked', () => {
    for (let s = 0; s < 20; s++) {
      torch.manualSeed(s);
      for (const x of [u8, f32, batch]) {
        const lead = x.shape.slice(0, -2);
        const r = new T.RandomResizedCrop([4, 6]).call(x);
        expect(r.shape).toEqual([...lead, 4, 6]);
        expect(r.dtype).toBe(x.dtype);
        const c = new T.RandomCrop([12, 14], { padIfNeeded: true }).call(x);
        expect(c.shape).toEqual([...lead, 12, 14]);
        for (const t of [new T.TrivialAugmentWide(), new T.ColorJitter({ brightness: 0.8, contrast: 0.8, saturation: 0.8, hue: 0.5 }), new T.RandAugment({ magnitude: 30 })]) {
          const y = t.call(x);
          expect(y.shape).toEqual(x.shape);
          expect(y.dtype).toBe(x.dtype);
          const max = x.dtype === 'uint8' ? 255 : 1;
          expect(y.min().item()).toBeGreaterThanOrEqual(0);
          expect(y.max().item()).toBeLessThanOrEqual(max);
        }
      }
    }
  });

  it('forward equals the functional form with the parameters getParams draws', () => {
    for (let s = 0; s < 5; s++) {
      torch.manualSeed(s);
      const [i, j, h, w] = T.RandomResizedCrop.getParams(u8, [0.08, 1], [3 / 4, 4 / 3]);
      torch.manualSeed(s);
      expect(same(new T.RandomResizedCrop(5).call(u8), F.resizedCrop(u8, i, j, h, w, [5, 5]))).toBe(true);

      torch.manualSeed(s);
      const angle = T.RandomRotation.getParams([-40, 40]);
      torch.manualSeed(s);
      expect(same(new T.RandomRotation(40).call(u8), F.rotate(u8, angle, { fill: 0 }))).toBe(true);

      torch.manualSeed(s);
      const p = T.RandomAffine.getParams([-20, 20], [0.1, 0.1], [0.9, 1.1], [-5, 5], [11, 9]);
      torch.manualSeed(s);
      const got = new T.RandomAffine(20, { translate: [0.1, 0.1], scale: [0.9, 1.1], shear: 5 }).call(u8);
      expect(same(got, F.affine(u8, p.angle, p.translate, p.scale, p.shear, { fill: 0 }))).toBe(true);

      torch.manualSeed(s);
      const cj = T.ColorJitter.getParams([0.5, 1.5], [0.7, 1.3], null, [-0.1, 0.1]);
      expect([...cj.order].sort()).toEqual([0, 1, 2, 3]);
      expect(cj.saturation).toBeNull();
      torch.manualSeed(s);
      const jit = new T.ColorJitter({ brightness: 0.5, contrast: 0.3, hue: 0.1 }).call(f32);
      expect(same(jit, T.ColorJitter.applyParams(f32, cj))).toBe(true);

      torch.manualSeed(s);
      torch.rand([1]); // forward first draws whether to erase
      const [ei, ej, eh, ew, ev] = T.RandomErasing.getParams(f32, [0.02, 0.33], [0.3, 3.3], [0.5]);
      expect(ei + eh).toBeLessThanOrEqual(9);
      expect(ej + ew).toBeLessThanOrEqual(11);
      torch.manualSeed(s);
      expect(same(new T.RandomErasing({ p: 1, value: 0.5 }).call(f32), F.erase(f32, ei, ej, eh, ew, ev))).toBe(true);
    }
  });

  it('flips and gray happen with their probability (p = 0 never, p = 1 always)', () => {
    expect(same(new T.RandomHorizontalFlip(1).call(u8), F.hflip(u8))).toBe(true);
    expect(new T.RandomHorizontalFlip(0).call(u8)).toBe(u8);
    expect(same(new T.RandomVerticalFlip(1).call(batch), F.vflip(batch))).toBe(true);
    expect(same(new T.RandomGrayscale(1).call(u8), F.rgbToGrayscale(u8, 3))).toBe(true);
    expect(new T.RandomErasing({ p: 0 }).call(u8)).toBe(u8);
    torch.manualSeed(0);
    let flips = 0;
    const t = new T.RandomHorizontalFlip(0.3);
    for (let k = 0; k < 400; k++) if (t.call(u8) !== u8) flips++;
    expect(flips).toBeGreaterThan(80);
    expect(flips).toBeLessThan(160);
  });
});

describe('containers and conversions', () => {
  it('Compose chains modules and functions; applyTransform takes both', () => {
    const t = new T.Compose([new T.CenterCrop(5), (x: Tensor) => x.flip([-1]), new T.ToDtype('float32', { scale: true }), new T.Normalize([0.5], [0.5])]);
    const got = t.call(u8) as Tensor;
    const want = F.normalize(F.convertImageDtype(F.hflip(F.centerCrop(u8, 5)), 'float32'), [0.5], [0.5]);
    expect(same(got, want)).toBe(true);
    expect(same(T.applyTransform(t, u8) as Tensor, want)).toBe(true);
    expect(same(T.applyTransform((x: Tensor) => x.add(0), u8), u8)).toBe(true);
    expect(() => T.applyTransform(3 as never, u8)).toThrow('expected a function or an object with a call method');
    expect(same(new T.Lambda((x: Tensor) => x.flip([-2])).call(u8) as Tensor, F.vflip(u8))).toBe(true);
  });

  it('RandomApply / RandomChoice / RandomOrder', () => {
    const flip = new T.RandomHorizontalFlip(1);
    expect(same(new T.RandomApply([flip], 1).call(u8) as Tensor, F.hflip(u8))).toBe(true);
    expect(new T.RandomApply([flip], 0).call(u8)).toBe(u8);
    const choice = new T.RandomChoice([(x: Tensor) => F.hflip(x), (x: Tensor) => F.vflip(x)], [0, 1]);
    expect(same(choice.call(u8) as Tensor, F.vflip(u8))).toBe(true);
    expect(() => new T.RandomChoice([flip], [0.5, 0.5])).toThrow('the number of p (2) and transforms (1) should match');
    const order = new T.RandomOrder([(x: Tensor) => F.hflip(x), (x: Tensor) => F.vflip(x)]);
    expect(same(order.call(u8) as Tensor, F.hflip(F.vflip(u8)))).toBe(true);
  });

  it('ToTensor / ToImage take HWC tensors and sharp raw buffers', () => {
    const hwc = u8.permute([1, 2, 0]).contiguous();
    expect(same(new T.ToTensor().call(hwc), u8.to('float32').div(255))).toBe(true);
    expect(same(new T.ToTensor({ layout: 'CHW' }).call(u8), u8.to('float32').div(255))).toBe(true);
    const data = new Uint8Array(torch.toTypedArray(hwc) as Uint8Array);
    expect(same(new T.ToImage().call({ data, info: { width: 11, height: 9, channels: 3 } }), u8)).toBe(true);
    expect(same(F.toImage({ data, width: 11, height: 9, channels: 3 }), u8)).toBe(true);
    expect(() => F.toImage({ data, width: 10, height: 9, channels: 3 })).toThrow('needs 270 bytes, got 297');
    expect(new T.ToDtype('float64').call(u8).max().item()).toBe(u8.max().item());
    expect(same(new T.ConvertImageDtype('float32').call(u8), F.convertImageDtype(u8))).toBe(true);
  });

  it('FiveCrop / TenCrop return lists; Pad and Resize validate their arguments', () => {
    const five = new T.FiveCrop(4).call(u8);
    expect(five.length).toBe(5);
    expect(five.every((c) => c.shape.join() === '3,4,4')).toBe(true);
    expect(new T.TenCrop([4, 5], true).call(u8).length).toBe(10);
    expect(() => new T.Pad([1, 2, 3])).toThrow('padding must be an int or a 1, 2, or 4 element sequence, not a 3 element sequence');
    expect(() => new T.Resize([4, 5], { maxSize: 9 })).toThrow('max_size should only be passed if size specifies the length of the smaller edge');
    expect(() => new T.Resize(8, { maxSize: 8 })).toThrow('max_size = 8 must be strictly greater than the requested size for the smaller edge size = 8');
    expect(new T.Resize(6).call(u8).shape).toEqual([3, 6, 7]);
    expect(() => new T.ColorJitter({ hue: 0.7 })).toThrow('hue values should be between [-0.5, 0.5]');
    expect(() => new T.GaussianBlur(4)).toThrow('kernel size value should be an odd and positive number');
    expect(() => new T.RandomCrop(20).call(u8)).toThrow('Required crop size (20, 20) is larger than input image size (9, 11)');
  });
});

describe('functional: errors name what was wrong', () => {
  it('dtype, channel and argument checks', () => {
    expect(() => F.normalize(u8, [0.5], [0.5])).toThrow('input tensor should be a float tensor. Got uint8.');
    expect(() => F.normalize(f32, [0.5], [0])).toThrow('std evaluated to zero after conversion to float32');
    expect(() => F.posterize(u8.to('int32'), 3)).toThrow('only uint8 image tensors are supported, but found int32');
    expect(() => F.equalize(f32)).toThrow('only uint8 image tensors are supported, but found float32');
    expect(() => F.adjustHue(u8, 0.7)).toThrow('hue_factor (0.7) is not in [-0.5, 0.5].');
    expect(() => F.adjustBrightness(u8, -1)).toThrow('brightness_factor (-1) is not non-negative.');
    expect(() => F.rgbToGrayscale(torch.zeros([2, 4, 4]))).toThrow('permitted channel values are [1, 3], but found 2');
    expect(() => F.rotate(u8, 10, { interpolation: 'bicubic' })).toThrow("interpolation 'bicubic' is not supported");
    expect(() => F.rotate(u8, 10, { fill: [1, 2] })).toThrow("the number of elements in 'fill' cannot broadcast to match the number of channels of the image (2 != 3)");
    expect(() => F.gaussianBlur(u8, [4, 3])).toThrow('kernel_size should have odd and positive integers. Got [4, 3]');
    expect(() => F.pad(u8, 1, { paddingMode: 'wrap' as never })).toThrow(ValueError);
    expect(() => F.convertImageDtype(f32, 'int32')).toThrow('The cast from float32 to int32 cannot be performed safely.');
    expect(() => F.resize(u8, [0, 3])).toThrow('size must be a positive int');
    expect(() => F.fiveCrop(u8, 10)).toThrow('requested crop size [10, 10] is bigger than input size [9, 11]');
    expect(() => F.erase(u8, 5, 5, 6, 1, 0)).toThrow('does not fit an image of size 9x11');
    expect(() => F.hflip(3 as never)).toThrow('img should be a Tensor');
    expect(() => F.perspective(u8, [[0, 0], [1, 1], [2, 2], [3, 3]], [[0, 0], [1, 1], [2, 2], [3, 3]])).toThrow('degenerate');
  });

  it('free their intermediates', () => {
    const before = memory().liveTensors;
    const outs = [
      new T.TrivialAugmentWide().call(u8), new T.RandomErasing({ p: 1, value: 'random' }).call(f32), new T.RandomCrop(6, { padding: 2 }).call(u8),
      new T.ColorJitter({ brightness: 0.5, contrast: 0.5, saturation: 0.5, hue: 0.2 }).call(u8), new T.AutoAugment().call(u8),
    ];
    expect(memory().liveTensors).toBe(before + outs.length);
    outs.forEach((t) => t.dispose());
  });
});

describe('float transforms are differentiable (gradcheck in float64)', () => {
  it('resize, warps, blur, colour blends and normalize', () => {
    torch.manualSeed(3);
    const x = torch.rand([1, 2, 4, 5], { dtype: 'float64' }).mul(0.4).add(0.3).requiresGrad_(true);
    const fns: Array<[string, (a: Tensor) => Tensor]> = [
      ['resize bicubic antialias', (a) => F.resize(a, [3, 4], { interpolation: 'bicubic' })],
      ['resize bilinear up', (a) => F.resize(a, [7, 8], { interpolation: 'bilinear' })],
      ['rotate bilinear with fill', (a) => F.rotate(a, 17, { interpolation: 'bilinear', fill: [0.5, 0.2] })],
      ['perspective', (a) => F.perspective(a, [[0, 0], [4, 0], [4, 3], [0, 3]], [[1, 0], [4, 1], [3, 3], [0, 2]])],
      ['gaussianBlur', (a) => F.gaussianBlur(a, [3, 5], [0.8, 1.2])],
      ['adjustContrast', (a) => F.adjustContrast(a.narrow(1, 0, 1), 0.9)],
      ['adjustSharpness', (a) => F.adjustSharpness(a.narrow(1, 1, 1), 0.7)],
      ['normalize', (a) => F.normalize(a, [0.5, 0.4], [0.2, 0.3])],
    ];
    for (const [name, fn] of fns) expect(gradcheck(fn, [x]), name).toBe(true);
  });
});
