import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import '@torchts/backend-cpu';
import * as torch from '@torchts/core';
import { RuntimeError, ValueError } from '@torchts/core';
import { io } from '../src/index.js';
import { decodeTensor, expectTensor, fixture } from './helpers.js';
import type { Enc } from './helpers.js';

const fx = fixture<{ sources: Record<string, Enc>; decoded: Record<string, Record<string, Enc | { error: string }>> }>('io.json');
const imagePath = (f: string): string => new URL(`./fixtures/images/${f}`, import.meta.url).pathname;
const MODES = ['UNCHANGED', 'GRAY', 'GRAY_ALPHA', 'RGB', 'RGB_ALPHA'] as const;

describe('io: decoding matches torchvision.io', () => {
  for (const [file, perMode] of Object.entries(fx.decoded)) {
    for (const mode of MODES) {
      const want = perMode[mode];
      // torchvision 0.14 returns palette indices for UNCHANGED palette PNGs (we return the colours)
      // and garbage alpha in the alpha modes: the fixture leaves those out; they are checked below.
      if (!want) continue;
      it(`${file} ${mode}`, async () => {
        const bytes = await io.readFile(imagePath(file));
        if ('error' in want) {
          await expect(io.decodeImage(bytes, { mode })).rejects.toThrow(want.error);
          return;
        }
        const decoder = file.endsWith('.png') ? io.decodePng : io.decodeJpeg;
        const got = await decoder(bytes, { mode });
        // PNG is lossless and conversions follow libpng: exact. JPEG decoders may differ by a few levels.
        expectTensor(got, want as Enc, `${file} ${mode}`, { u8: file.endsWith('.jpg') ? 3 : 0 });
        const viaImage = await io.readImage(imagePath(file), { mode });
        expect(viaImage.sub(got).abs().max().item()).toBe(0);
      });
    }
  }

  it('palette PNGs read UNCHANGED give their colours', async () => {
    const got = await io.readImage(imagePath('palette.png'));
    expectTensor(got, fx.decoded['palette.png']!.RGB as Enc, 'palette');
    const rgba = await io.readImage(imagePath('palette.png'), { mode: 'RGB_ALPHA' });
    expect(rgba.narrow(0, 0, 3).sub(got).abs().max().item()).toBe(0);
    expect(rgba.select(0, 3).min().item()).toBe(255);
    const ga = await io.readImage(imagePath('palette.png'), { mode: 'GRAY_ALPHA' });
    expectTensor(ga.narrow(0, 0, 1), fx.decoded['palette.png']!.GRAY as Enc, 'palette gray');
  });
});

describe('io: encoding round trips', () => {
  for (const name of ['rgb', 'gray', 'rgba', 'graya']) {
    it(`PNG ${name} is lossless at every compression level`, async () => {
      const src = decodeTensor(fx.sources[name]!);
      for (const compressionLevel of [0, 6, 9]) {
        const png = await io.encodePng(src, { compressionLevel });
        expect(png.dtype).toBe('uint8');
        expect(png.dim()).toBe(1);
        expectTensor(await io.decodePng(png), fx.sources[name]!, `${name} level ${compressionLevel}`);
      }
    });
  }

  it('JPEG keeps shape and stays close; higher quality is closer', async () => {
    const src = torch.arange(0, 3 * 32 * 40).remainder(7).mul(3).add(100).to('uint8').reshape([3, 32, 40]);
    const err = async (quality: number): Promise<number> => {
      const dec = await io.decodeJpeg(await io.encodeJpeg(src, { quality }));
      expect(dec.shape).toEqual([3, 32, 40]);
      return dec.to('float32').sub(src.to('float32')).abs().mean().item();
    };
    const q95 = await err(95);
    const q10 = await err(10);
    expect(q95).toBeLessThan(4);
    expect(q95).toBeLessThan(q10);
    const gray = await io.decodeJpeg(await io.encodeJpeg(src.narrow(0, 0, 1), { quality: 90 }));
    expect(gray.shape).toEqual([1, 32, 40]);
  });

  it('writeFile / writePng / writeJpeg write what readImage reads back', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'torchts-io-'));
    try {
      const src = decodeTensor(fx.sources.rgb!);
      await io.writePng(src, join(dir, 'a.png'));
      expectTensor(await io.readImage(join(dir, 'a.png')), fx.sources.rgb!, 'writePng');
      await io.writeJpeg(src, join(dir, 'a.jpg'), { quality: 100 });
      expect((await io.readImage(join(dir, 'a.jpg'))).shape).toEqual([3, 6, 5]);
      const bytes = await io.readFile(imagePath('rgb.png'));
      await io.writeFile(join(dir, 'copy.png'), bytes);
      expect([...readFileSync(join(dir, 'copy.png'))]).toEqual(bytes.tolist());
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('io: errors name what was wrong', () => {
  const img = torch.zeros([3, 4, 4], { dtype: 'uint8' });
  it('encoders check dtype, rank, channels and options', async () => {
    await expect(io.encodePng(torch.zeros([3, 4, 4]))).rejects.toThrow('input tensor dtype should be uint8, got float32');
    await expect(io.encodeJpeg(torch.zeros([4, 4], { dtype: 'uint8' }))).rejects.toThrow('3-dimensional [C, H, W] tensor, got 2 dimensions [4, 4]');
    await expect(io.encodeJpeg(torch.zeros([4, 4, 4], { dtype: 'uint8' }))).rejects.toThrow('number of channels should be 1 or 3, got: 4');
    await expect(io.encodePng(torch.zeros([5, 4, 4], { dtype: 'uint8' }))).rejects.toThrow('1 or 2 or 3 or 4, got: 5');
    await expect(io.encodeJpeg(img, { quality: 0 })).rejects.toThrow(ValueError);
    await expect(io.encodePng(img, { compressionLevel: 10 })).rejects.toThrow('between 0 and 9, got 10');
  });
  it('decoders check their input and the format', async () => {
    const png = await io.encodePng(img);
    await expect(io.decodeJpeg(png)).rejects.toThrow('Not a JPEG file: starts with 0x89 0x50');
    const jpg = await io.encodeJpeg(img);
    await expect(io.decodePng(jpg)).rejects.toThrow('Content is not png');
    await expect(io.decodeJpeg(jpg, { mode: 'RGB_ALPHA' })).rejects.toThrow('The provided mode is not supported for JPEG files');
    await expect(io.decodeImage(png.to('int32'))).rejects.toThrow('expected a uint8 tensor, got int32');
    await expect(io.decodeImage(png.reshape([1, -1]))).rejects.toThrow('expected a one dimensional tensor');
    await expect(io.decodeImage(torch.tensor([1, 2, 3, 4], { dtype: 'uint8' }))).rejects.toThrow(RuntimeError);
    await expect(io.decodeImage(png, { mode: 'CMYK' as never })).rejects.toThrow("unknown mode 'CMYK'");
  });
});
