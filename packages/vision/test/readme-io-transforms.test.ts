// The README's IO and transforms examples, run as written (imports adapted, a temporary photo.jpg).
import { expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import '@torchts/backend-cpu';
import '@torchts/autograd';
import * as torch from '@torchts/core';
import { io, transforms as T } from '../src/index.js';

it('README example', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'torchts-readme-'));
  try {
    const photo = torch.arange(0, 3 * 240 * 320).remainder(251).to('uint8').reshape([3, 240, 320]);
    await io.writeJpeg(photo, join(dir, 'photo.jpg'), { quality: 95 });

    const img = await io.readImage(join(dir, 'photo.jpg'), { mode: io.ImageReadMode.RGB }); // uint8 [3, H, W]
    const bytes = await io.encodePng(img, { compressionLevel: 9 }); // uint8 [n]
    const back = await io.decodeImage(bytes); // PNG is lossless: equals img
    await io.writeJpeg(img, join(dir, 'copy.jpg'), { quality: 90 });
    expect(img.shape).toEqual([3, 240, 320]);
    expect(back.sub(img).abs().max().item()).toBe(0);

    const train = new T.Compose([
      new T.RandomResizedCrop(224),
      new T.RandomHorizontalFlip(),
      new T.ColorJitter({ brightness: 0.4, contrast: 0.4, saturation: 0.4, hue: 0.1 }),
      new T.ToDtype(torch.float32, { scale: true }),
      new T.Normalize([0.485, 0.456, 0.406], [0.229, 0.224, 0.225]),
    ]);
    torch.manualSeed(0);
    const x = train.call(img); // float32 [3, 224, 224]
    const tilted = T.functional.rotate(img, 30, { interpolation: 'bilinear', expand: true });
    expect([x.shape, x.dtype]).toEqual([[3, 224, 224], 'float32']);
    expect(tilted.shape).toEqual([3, 368, 398]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
