import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import '@torchts/backend-cpu';
import * as torch from '@torchts/core';
import type { DType, Tensor } from '@torchts/core';
import * as utils from '../src/utils/index.js';
import { tempRoot } from './dataset-files.js';

interface Enc { dtype: DType; shape: number[]; data: number[] }
const fx = JSON.parse(readFileSync(new URL('./fixtures/vision_utils.json', import.meta.url), 'utf8'));
const dec = (e: Enc): Tensor => torch.tensor(e.data, { dtype: e.dtype }).reshape(e.shape);

function expectClose(got: Tensor, want: Enc, tol: number): void {
  expect(got.shape).toEqual(want.shape);
  expect(got.dtype).toBe(want.dtype);
  const g = torch.readNumbers(got);
  want.data.forEach((w, i) => expect(Math.abs(g[i]! - w)).toBeLessThanOrEqual(tol));
}

describe('makeGrid against torchvision', () => {
  it.each(fx.grid.map((c: { label: string }) => [c.label, c]))('%s', (_, c) => {
    const k = c as { input: Enc | Enc[]; options: utils.MakeGridOptions; out: Enc; uint8: Enc | null };
    const input = Array.isArray(k.input) ? k.input.map(dec) : dec(k.input);
    const before = Array.isArray(input) ? null : input.tolist();
    expectClose(utils.makeGrid(input, k.options), k.out, 1e-6);
    if (before) expect((input as Tensor).tolist()).toEqual(before); // normalize works on a copy
    if (k.uint8) expectClose(utils.toUint8Image(input, k.options), k.uint8, 0);
  });

  it('rejects what torchvision rejects', () => {
    expect(() => utils.makeGrid([torch.zeros([3, 2, 2]), 5 as unknown as Tensor])).toThrow('tensor or list of tensors expected, got a list containing number');
    expect(() => utils.makeGrid(torch.zeros([3, 2, 2]), { normalize: true, valueRange: [0] as unknown as [number, number] })).toThrow('value_range has to be a tuple (min, max)');
    expect(() => utils.makeGrid(torch.zeros([1, 1, 3, 2, 2]))).toThrow('make_grid(): expected images of 2, 3 or 4 dimensions, got 5');
    expect(() => utils.makeGrid(torch.zeros([2, 3, 2, 2]), { nrow: 0 })).toThrow('nrow must be a positive integer');
  });
});

describe('saveImage', () => {
  it('writes the uint8 grid losslessly as PNG; JPEG by extension; refuses unknown formats', async () => {
    const c = fx.grid[0];
    const dir = tempRoot();
    const path = join(dir, 'grid.png');
    await utils.saveImage(dec(c.input), path);
    const { data, info } = await sharp(path).raw().toBuffer({ resolveWithObject: true });
    expect([info.channels, info.height, info.width]).toEqual(c.uint8.shape);
    const chw = torch.tensor(Array.from(data), { dtype: 'uint8' }).reshape(info.height, info.width, info.channels).permute(2, 0, 1);
    expect(chw.reshape(-1).tolist()).toEqual(c.uint8.data);
    await utils.saveImage(dec(c.input), join(dir, 'grid.JPG'));
    expect((await sharp(join(dir, 'grid.JPG')).metadata()).format).toBe('jpeg');
    await utils.saveImage(dec(c.input), join(dir, 'grid.bin'), { format: 'png' });
    expect((await sharp(join(dir, 'grid.bin')).metadata()).format).toBe('png');
    await expect(utils.saveImage(dec(c.input), join(dir, 'grid.gif'))).rejects.toThrow('unknown file extension: .gif');
  });
});

describe('drawBoundingBoxes against torchvision (pixel exact)', () => {
  it.each(fx.draw.map((c: { label: string }) => [c.label, c]))('%s', (_, c) => {
    const k = c as { image: Enc; boxes: Enc; options: utils.DrawBoundingBoxesOptions; out: Enc };
    const got = utils.drawBoundingBoxes(dec(k.image), dec(k.boxes), k.options);
    expectClose(got, k.out, 0);
  });

  it('checks its arguments; labels need a font renderer torchts does not have', () => {
    const img = torch.zeros([3, 4, 4], { dtype: 'uint8' });
    const boxes = torch.tensor([[0, 0, 2, 2]]);
    expect(() => utils.drawBoundingBoxes(torch.zeros([3, 4, 4]), boxes)).toThrow('Tensor uint8 expected, got float32');
    expect(() => utils.drawBoundingBoxes(torch.zeros([1, 3, 4, 4], { dtype: 'uint8' }), boxes)).toThrow('Pass individual images, not batches');
    expect(() => utils.drawBoundingBoxes(torch.zeros([2, 4, 4], { dtype: 'uint8' }), boxes)).toThrow('Only grayscale and RGB images are supported');
    expect(() => utils.drawBoundingBoxes(img, torch.tensor([[3, 0, 2, 2]]))).toThrow('Boxes need to be in (xmin, ymin, xmax, ymax) format');
    expect(() => utils.drawBoundingBoxes(img, boxes, { colors: ['red', 'blue'].slice(0, 0) })).toThrow('Number of colors (0) is less than number of boxes (1)');
    expect(() => utils.drawBoundingBoxes(img, boxes, { colors: 'nocolour' })).toThrow("unknown color specifier: 'nocolour'");
    expect(() => utils.drawBoundingBoxes(img, boxes, { labels: ['a', 'b'] })).toThrow('Number of boxes (1) and labels (2) mismatch');
    expect(() => utils.drawBoundingBoxes(img, boxes, { labels: ['cat'] })).toThrow(/labels are not supported: torchts has no font rendering/);
    expect(utils.drawBoundingBoxes(img, torch.zeros([0, 4])).shape).toEqual([3, 4, 4]);
  });

  it.each(fx.masks.map((c: { label: string }) => [`drawSegmentationMasks: ${c.label}`, c]))('%s', (_, c) => {
    const k = c as { image: Enc; masks: Enc; options: utils.DrawSegmentationMasksOptions; out: Enc };
    expectClose(utils.drawSegmentationMasks(dec(k.image), dec(k.masks), k.options), k.out, 0);
  });

  it('drawSegmentationMasks checks its arguments', () => {
    const img = torch.zeros([3, 4, 4], { dtype: 'uint8' });
    const m = torch.zeros([2, 4, 4], { dtype: 'bool' });
    expect(() => utils.drawSegmentationMasks(torch.zeros([1, 4, 4], { dtype: 'uint8' }), m)).toThrow('Pass an RGB image. Other Image formats are not supported');
    expect(() => utils.drawSegmentationMasks(img, torch.zeros([2, 4, 4]))).toThrow('The masks must be of dtype bool. Got float32');
    expect(() => utils.drawSegmentationMasks(img, torch.zeros([2, 4, 5], { dtype: 'bool' }))).toThrow('The image and the masks must have the same height and width');
    expect(() => utils.drawSegmentationMasks(img, m, { colors: ['red'] })).toThrow('There are more masks (2) than colors (1)');
    expect(utils.drawSegmentationMasks(img, torch.zeros([0, 4, 4], { dtype: 'bool' })).tolist()).toEqual(img.tolist());
  });

  it('parses colours as PIL does', () => {
    expect(utils.parseColor('#abc')).toEqual([0xaa, 0xbb, 0xcc]);
    expect(utils.parseColor('rgb(100%, 50%, 0%)')).toEqual([255, 128, 0]);
    expect(utils.parseColor('RebeccaPurple')).toEqual([0x66, 0x33, 0x99]);
    expect(utils.generateColorPalette(3)).toEqual([[0, 0, 0], [1, 127, 31], [2, 254, 62]]);
  });
});
