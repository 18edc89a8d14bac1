/** adjustHue through HSV, with torchvision's _rgb2hsv / _hsv2rgb formulas (Pillow's). */
import { Tensor, ValueError, stack, tidy, where } from '@torchts/core';
import { checkChannels, checkImage, getDimensions } from './image.js';

/** [..., 3, H, W] RGB in 0..1 -> HSV, every channel in 0..1. */
export function rgbToHsv(img: Tensor): Tensor {
  return tidy(() => {
    const [r, g, b] = img.unbind(-3) as [Tensor, Tensor, Tensor];
    const maxc = img.amax({ dim: -3 });
    const minc = img.amin({ dim: -3 });
    const eqc = maxc.eq(minc);
    const cr = maxc.sub(minc);
    // Where max == min, S and H are 0; dividing by 1 there avoids NaN.
    const s = cr.div(where(eqc, 1, maxc));
    const crDiv = where(eqc, 1, cr);
    const rc = maxc.sub(r).div(crDiv);
    const gc = maxc.sub(g).div(crDiv);
    const bc = maxc.sub(b).div(crDiv);
    const isR = maxc.eq(r);
    const isG = maxc.eq(g).logicalAnd(isR.logicalNot());
    const isB = maxc.ne(g).logicalAnd(isR.logicalNot());
    const hr = isR.to(img.dtype).mul(bc.sub(gc));
    const hg = isG.to(img.dtype).mul(rc.sub(bc).add(2));
    const hb = isB.to(img.dtype).mul(gc.sub(rc).add(4));
    const h = hr.add(hg).add(hb).div(6).add(1).fmod(1);
    return stack([h, s, maxc], -3);
  });
}

/** HSV -> RGB, inverse of rgbToHsv. */
export function hsvToRgb(img: Tensor): Tensor {
  return tidy(() => {
    const [h, s, v] = img.unbind(-3) as [Tensor, Tensor, Tensor];
    const h6 = h.mul(6);
    const i = h6.floor();
    const f = h6.sub(i);
    const sector = i.to('int32').remainder(6);
    const p = v.mul(s.neg().add(1)).clamp(0, 1);
    const q = v.mul(s.mul(f).neg().add(1)).clamp(0, 1);
    const t = v.mul(s.mul(f.neg().add(1)).neg().add(1)).clamp(0, 1);
    // Each channel takes one of six values by sector: a gather along a stacked dim (one op, not a where chain).
    const index = sector.to('int64').unsqueeze(0);
    const pick = (vals: Tensor[]): Tensor => stack(vals, 0).gather(0, index).squeeze(0);
    return stack([pick([v, q, p, p, t, v]), pick([t, v, v, q, p, p]), pick([p, p, t, v, v, q])], -3);
  });
}

/** adjustHue(img, hueFactor in [-0.5, 0.5]): shifts the hue channel cyclically. Gray images are returned as they are. */
export function adjustHue(img: Tensor, hueFactor: number): Tensor {
  if (!(hueFactor >= -0.5 && hueFactor <= 0.5)) throw new ValueError(`adjust_hue(): hue_factor (${hueFactor}) is not in [-0.5, 0.5].`);
  checkImage(img, 'adjust_hue', 3);
  checkChannels(img, [1, 3], 'adjust_hue');
  if (getDimensions(img)[0] === 1) return img.clone();
  return tidy(() => {
    const u8 = img.dtype === 'uint8';
    const x = u8 ? img.to('float32').div(255) : img;
    const [h, s, v] = rgbToHsv(x).unbind(-3) as [Tensor, Tensor, Tensor];
    const rgb = hsvToRgb(stack([h.add(hueFactor).remainder(1), s, v], -3));
    return u8 ? rgb.mul(255).to('uint8') : rgb;
  });
}
