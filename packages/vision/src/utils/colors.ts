/**
 * Colours as torchvision's drawing utilities take them: an [r, g, b] triple, or a string PIL's
 * ImageColor.getrgb understands for RGB: '#rgb', '#rrggbb', 'rgb(r, g, b)', 'rgb(r%, g%, b%)'
 * or a CSS colour name (case-insensitive). And torchvision's default palette.
 */
import { ValueError } from '@torchts/core';
import { NAMED_COLORS } from './named-colors.js';

export type Color = string | readonly [number, number, number];
export type RGB = [number, number, number];

const channel = (s: string, percent: boolean): number => (percent ? Math.trunc((Number(s) * 255) / 100 + 0.5) : Number(s));

export function parseColor(color: Color): RGB {
  if (Array.isArray(color)) {
    if (color.length !== 3 || !color.every((v) => Number.isInteger(v) && v >= 0 && v <= 255)) {
      throw new ValueError(`a colour must be [r, g, b] with integers in [0, 255], got [${color.join(', ')}]`);
    }
    return [...color] as RGB;
  }
  if (typeof color !== 'string') throw new TypeError(`a colour must be a string or [r, g, b], got ${typeof color}`);
  const s = color.trim().toLowerCase();
  const hex = NAMED_COLORS[s] ?? s;
  let m = /^#([0-9a-f])([0-9a-f])([0-9a-f])$/.exec(hex);
  if (m) return [m[1]!, m[2]!, m[3]!].map((d) => parseInt(d + d, 16)) as RGB;
  m = /^#([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/.exec(hex);
  if (m) return [m[1]!, m[2]!, m[3]!].map((d) => parseInt(d, 16)) as RGB;
  m = /^rgb\(\s*(\d+)\s*,\s*(\d+)\s*,\s*(\d+)\s*\)$/.exec(s);
  if (m) {
    const rgb = [m[1]!, m[2]!, m[3]!].map((d) => channel(d, false));
    if (rgb.every((v) => v <= 255)) return rgb as RGB;
  }
  m = /^rgb\(\s*(\d+)%\s*,\s*(\d+)%\s*,\s*(\d+)%\s*\)$/.exec(s);
  if (m) {
    const rgb = [m[1]!, m[2]!, m[3]!].map((d) => channel(d, true));
    if (rgb.every((v) => v <= 255)) return rgb as RGB;
  }
  throw new ValueError(`unknown color specifier: '${color}'`);
}

/** torchvision's _generate_color_palette: colour i is (i * [2^25 - 1, 2^15 - 1, 2^21 - 1]) mod 255. */
export function generateColorPalette(count: number): RGB[] {
  const palette = [2 ** 25 - 1, 2 ** 15 - 1, 2 ** 21 - 1];
  return Array.from({ length: count }, (_, i) => palette.map((p) => Number((BigInt(i) * BigInt(p)) % 255n)) as RGB);
}

/**
 * The colour of each of `count` shapes: torchvision's palette when `colors` is undefined, one
 * colour for all, or a list (at least `count` long, else `tooFew(length)` is thrown).
 */
export function colorsFor(colors: Color | Color[] | undefined, count: number, tooFew: (length: number) => string): RGB[] {
  if (colors === undefined) return generateColorPalette(count);
  const isList = Array.isArray(colors) && (colors.length === 0 || typeof colors[0] !== 'number');
  if (!isList) return Array<RGB>(count).fill(parseColor(colors as Color));
  if (colors.length < count) throw new ValueError(tooFew(colors.length));
  return (colors as Color[]).map(parseColor);
}
