/**
 * The app's two pictures, drawn as SVG and rasterised to PNG by sharp (librsvg): the training and
 * test curves, and a grid of test digits with the predicted labels.
 */
import sharp from 'sharp';

export interface Curves {
  /** [epoch (fractional), mean training loss over the last stretch of steps]. */
  train: Array<[number, number]>;
  /** [epoch, test loss] after each epoch. */
  testLoss: Array<[number, number]>;
  /** [epoch, test accuracy in %] after each epoch. */
  testAccuracy: Array<[number, number]>;
}

const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** "Nice" tick values covering [lo, hi]. */
export function ticks(lo: number, hi: number, count = 5): number[] {
  if (!(hi > lo)) return [lo];
  const raw = (hi - lo) / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? 10 * mag;
  const out: number[] = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) out.push(Number(v.toPrecision(12)));
  return out;
}

interface Series { points: Array<[number, number]>; color: string; label: string; markers: boolean }

function panel(x0: number, y0: number, w: number, h: number, title: string, xMax: number, series: Series[]): string {
  const all = series.flatMap((s) => s.points);
  let lo = Math.min(...all.map((p) => p[1]));
  let hi = Math.max(...all.map((p) => p[1]));
  if (!Number.isFinite(lo)) { lo = 0; hi = 1; }
  if (hi - lo < 1e-9) { lo -= 0.5; hi += 0.5; }
  const pad = (hi - lo) * 0.05;
  lo -= pad; hi += pad;
  const px = (x: number): number => x0 + (x / xMax) * w;
  const py = (y: number): number => y0 + h - ((y - lo) / (hi - lo)) * h;
  const parts: string[] = [
    `<text x="${x0 + w / 2}" y="${y0 - 12}" text-anchor="middle" font-size="15" font-weight="bold">${esc(title)}</text>`,
    `<rect x="${x0}" y="${y0}" width="${w}" height="${h}" fill="none" stroke="#444"/>`,
  ];
  for (const t of ticks(lo, hi)) {
    parts.push(`<line x1="${x0}" x2="${x0 + w}" y1="${py(t)}" y2="${py(t)}" stroke="#ddd"/>`,
      `<text x="${x0 - 6}" y="${py(t) + 4}" text-anchor="end" font-size="11">${t}</text>`);
  }
  for (const t of ticks(0, xMax)) {
    parts.push(`<text x="${px(t)}" y="${y0 + h + 16}" text-anchor="middle" font-size="11">${t}</text>`);
  }
  parts.push(`<text x="${x0 + w / 2}" y="${y0 + h + 34}" text-anchor="middle" font-size="12">epoch</text>`);
  series.forEach((s, k) => {
    if (s.points.length > 1) {
      const d = s.points.map(([x, y], i) => `${i ? 'L' : 'M'}${px(x).toFixed(1)},${py(y).toFixed(1)}`).join('');
      parts.push(`<path d="${d}" fill="none" stroke="${s.color}" stroke-width="1.6"/>`);
    }
    if (s.markers) for (const [x, y] of s.points) parts.push(`<circle cx="${px(x)}" cy="${py(y)}" r="4" fill="${s.color}"/>`);
    const ly = y0 + 16 + 16 * k;
    parts.push(`<rect x="${x0 + w - 130}" y="${ly - 9}" width="10" height="10" fill="${s.color}"/>`,
      `<text x="${x0 + w - 115}" y="${ly}" font-size="11">${esc(s.label)}</text>`);
  });
  return parts.join('\n');
}

/** The curves as an SVG document: losses on the left, test accuracy on the right. */
export function curvesSvg(c: Curves, title: string): string {
  const xMax = Math.max(1, ...c.train.map((p) => p[0]), ...c.testLoss.map((p) => p[0]));
  const W = 900, H = 400;
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" font-family="sans-serif">
<rect width="100%" height="100%" fill="white"/>
<text x="${W / 2}" y="22" text-anchor="middle" font-size="16">${esc(title)}</text>
${panel(60, 60, 360, 280, 'loss', xMax, [
  { points: c.train, color: '#1f77b4', label: 'train (running)', markers: false },
  { points: c.testLoss, color: '#d62728', label: 'test', markers: true },
])}
${panel(510, 60, 360, 280, 'test accuracy (%)', xMax, [
  { points: c.testAccuracy, color: '#2ca02c', label: 'test accuracy', markers: true },
])}
</svg>`;
}

/**
 * A grid of digits (PNG bytes of the image grid, e.g. from vision.utils.makeGrid + encodePng) with
 * the predicted label in the top-left corner of each cell (MNIST leaves a 4-pixel empty border
 * there): green when right, red with the true label when wrong.
 */
export function predictionsSvg(grid: { png: Uint8Array; width: number; height: number }, layout: { nrow: number; cell: number; padding: number; scale: number },
  predicted: readonly number[], actual: readonly number[]): string {
  const { nrow, cell, padding, scale } = layout;
  const W = grid.width * scale, H = grid.height * scale;
  const labels: string[] = [];
  for (let i = 0; i < predicted.length; i++) {
    const r = Math.floor(i / nrow), c = i % nrow;
    const x = (padding + c * (cell + padding)) * scale + 3;
    const y = (padding + r * (cell + padding)) * scale + 13;
    const ok = predicted[i] === actual[i];
    labels.push(`<text x="${x}" y="${y}" font-size="13" font-weight="bold" fill="${ok ? '#3ddc5a' : '#ff4040'}">${predicted[i]}${ok ? '' : ` (${actual[i]})`}</text>`);
  }
  const b64 = Buffer.from(grid.png).toString('base64');
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" font-family="sans-serif">
<image href="data:image/png;base64,${b64}" width="${W}" height="${H}" style="image-rendering:pixelated"/>
${labels.join('\n')}
</svg>`;
}

/** Rasterises an SVG document to PNG bytes. */
export async function svgToPng(svg: string): Promise<Uint8Array> {
  return new Uint8Array(await sharp(Buffer.from(svg)).png().toBuffer());
}
