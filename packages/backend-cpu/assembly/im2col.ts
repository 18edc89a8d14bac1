// im2col for the convolution kernel (src/kernels/nn/conv.ts, which keeps the TS version for
// other dtypes): unfolds channels [0, C) of one batch element into `col`, row-major
// [C * KD*KH*KW, OD*OH*OW] (or with a wider row stride), zeros where the window hangs over the padding. `x` is the byte address
// of element (n, c0, 0, 0, 0) and sC..sW its strides in elements; 1-d and 2-d problems come as 3-d
// ones with leading spatial dims of size 1.

// Rows are short (tens of elements): inline loops beat memory.fill/copy, which V8 runs as calls.

/**
 * a / s for a >= 0, s >= 1, skipping the division for s == 1 (unit strides and dilations): the
 * window bounds are computed per kernel row, and an integer division there cost as much as the
 * copies of a short row (LeNet's conv2 unfolds 8-element rows: im2col 2x faster).
 */
// @ts-ignore: decorator
@inline export function divBy(a: i32, s: i32): i32 {
  return s == 1 ? a : a / s;
}

// @ts-ignore: decorator
@inline function zero<T>(p: usize, n: i32): void {
  const end = p + <usize>n * sizeof<T>();
  for (; p + 16 <= end; p += 16) v128.store(p, v128.splat<i32>(0));
  for (; p < end; p += sizeof<T>()) store<T>(p, <T>0);
}

// @ts-ignore: decorator
@inline function copy<T>(d: usize, s: usize, n: i32): void {
  const end = d + <usize>n * sizeof<T>();
  for (; d + 16 <= end; d += 16, s += 16) v128.store(d, v128.load(s));
  for (; d < end; d += sizeof<T>(), s += sizeof<T>()) store<T>(d, load<T>(s));
}

/** Runs of `v` vectors (a literal: the body is unrolled) from src, `step` bytes apart, to d..end. */
// @ts-ignore: decorator
@inline function runsOf(d: usize, end: usize, src: usize, step: usize, v: i32): void {
  for (; d < end; d += <usize>(v * 16), src += step) {
    v128.store(d, v128.load(src));
    v128.store(d, v128.load(src, 16), 16);
    if (v > 2) {
      v128.store(d, v128.load(src, 32), 32);
      v128.store(d, v128.load(src, 48), 48);
    }
    if (v > 4) {
      v128.store(d, v128.load(src, 64), 64);
      v128.store(d, v128.load(src, 80), 80);
    }
    if (v > 6) {
      v128.store(d, v128.load(src, 96), 96);
      v128.store(d, v128.load(src, 112), 112);
    }
  }
}

/**
 * `rows` runs of `bytes` from src (runs `step` apart) to consecutive runs at d. Short runs are
 * what im2col copies (8-24 elements for LeNet); V8 runs a nested loop per run several times
 * slower than one loop whose body is the whole run (measured: 32-byte runs 5x, 16-byte multiples
 * 2x faster than copy<T> per run), so runs of 2, 4, 6 and 8 vectors get such loops, other
 * multiples of 16 bytes a do-while per run.
 */
// @ts-ignore: decorator
@inline export function copyRows<T>(d: usize, src: usize, rows: i32, bytes: usize, step: usize): void {
  if (rows <= 0) return;
  const end = d + <usize>rows * bytes;
  if (bytes == 32) runsOf(d, end, src, step, 2);
  else if (bytes == 64) runsOf(d, end, src, step, 4);
  else if (bytes == 96) runsOf(d, end, src, step, 6);
  else if (bytes == 128) runsOf(d, end, src, step, 8);
  else if ((bytes & 15) == 0) {
    for (; d < end; src += step) {
      let q = src;
      const rowEnd = d + bytes;
      do {
        v128.store(d, v128.load(q));
        d += 16;
        q += 16;
      } while (d < rowEnd);
    }
  } else {
    for (; d < end; d += bytes, src += step) copy<T>(d, src, <i32>(bytes / sizeof<T>()));
  }
}

// @ts-ignore: decorator
@inline export function im2col<T>(
  x: usize, sC: i32, sD: i32, sH: i32, sW: i32, C: i32,
  D: i32, H: i32, W: i32, KD: i32, KH: i32, KW: i32, OD: i32, OH: i32, OW: i32,
  sd: i32, sh: i32, sw: i32, pd: i32, ph: i32, pw: i32, dd: i32, dh: i32, dw: i32, col: usize,
  rowStride: i32 = 0,
): void {
  const sz = <i32>sizeof<T>();
  // Rows are OD*OH*OW long; rowStride (elements, default that length) lets a caller unfold
  // several batch elements side by side into one wider matrix.
  const rowBytes = <usize>((rowStride > 0 ? rowStride : OD * OH * OW) * sz);
  if (pd == 0 && ph == 0 && pw == 0 && sd == 1 && sh == 1 && sw == 1 && sW == 1) {
    // Unit strides, no padding (LeNet, valid convolutions): every window lies inside the input,
    // so each patch row is OD * OH runs of OW copied as they lie, with no bounds to compute.
    const runBytes = <usize>(OW * sz), hStep = <usize>(sH * sz);
    let rowAt = col;
    for (let c = 0; c < C; c++) {
      for (let kd = 0; kd < KD; kd++) {
        for (let kh = 0; kh < KH; kh++) {
          for (let kw = 0; kw < KW; kw++, rowAt += rowBytes) {
            let dst = rowAt;
            let src = x + <usize>((c * sC + kd * dd * sD + kh * dh * sH + kw * dw) * sz);
            for (let od = 0; od < OD; od++, src += <usize>(sD * sz), dst += <usize>OH * runBytes) {
              copyRows<T>(dst, src, OH, runBytes, hStep);
            }
          }
        }
      }
    }
    return;
  }
  let r = col;
  let rowStart = col;
  for (let c = 0; c < C; c++) {
    for (let kd = 0; kd < KD; kd++) {
      for (let kh = 0; kh < KH; kh++) {
        for (let kw = 0; kw < KW; kw++, rowStart += rowBytes) {
          r = rowStart;
          const wOff = kw * dw - pw;
          // Output columns whose input column lies inside [0, W): [owLo, owHi).
          let owLo = 0;
          if (wOff < 0) owLo = min(OW, divBy(-wOff + sw - 1, sw));
          let owHi = W - 1 - wOff < 0 ? 0 : min(OW, divBy(W - 1 - wOff, sw) + 1);
          if (owHi < owLo) owHi = owLo;
          const step = <usize>(sw * sW * sz);
          for (let od = 0; od < OD; od++) {
            const id = od * sd - pd + kd * dd;
            if (id < 0 || id >= D) {
              zero<T>(r, OH * OW);
              r += <usize>(OH * OW * sz);
              continue;
            }
            // Output rows whose input row lies inside [0, H): [ohLo, ohHi); the others are zeros.
            const t = ph - kh * dh;
            const ohLo = t <= 0 ? 0 : min(OH, divBy(t + sh - 1, sh));
            const u = H - 1 + t;
            let ohHi = u < 0 ? 0 : min(OH, divBy(u, sh) + 1);
            if (ohHi < ohLo) ohHi = ohLo;
            zero<T>(r, ohLo * OW);
            r += <usize>(ohLo * OW * sz);
            let src = x + <usize>((c * sC + id * sD + (ohLo * sh - t) * sH + (wOff + owLo * sw) * sW) * sz);
            const srcStep = <usize>(sh * sH * sz);
            const n = owHi - owLo;
            if (owLo == 0 && owHi == OW && step == <usize>sz) {
              // Whole rows from consecutive input rows: only pointer steps per row.
              const rowBytes = <usize>(OW * sz);
              copyRows<T>(r, src, ohHi - ohLo, rowBytes, srcStep);
              r += <usize>(ohHi - ohLo) * rowBytes;
            } else {
              for (let oh = ohLo; oh < ohHi; oh++, src += srcStep) {
                zero<T>(r, owLo);
                r += <usize>(owLo * sz);
                if (step == <usize>sz) {
                  copy<T>(r, src, n);
                  r += <usize>(n * sz);
                } else {
                  let q = src;
                  for (let i = 0; i < n; i++) {
                    store<T>(r, load<T>(q));
                    r += sz;
                    q += step;
                  }
                }
                zero<T>(r, OW - owHi);
                r += <usize>((OW - owHi) * sz);
              }
            }
            zero<T>(r, (OH - ohHi) * OW);
            r += <usize>((OH - ohHi) * OW * sz);
          }
        }
      }
    }
  }
}

export function im2colF32(
  x: usize, sC: i32, sD: i32, sH: i32, sW: i32, C: i32,
  D: i32, H: i32, W: i32, KD: i32, KH: i32, KW: i32, OD: i32, OH: i32, OW: i32,
  sd: i32, sh: i32, sw: i32, pd: i32, ph: i32, pw: i32, dd: i32, dh: i32, dw: i32, col: usize,
): void {
  im2col<f32>(x, sC, sD, sH, sW, C, D, H, W, KD, KH, KW, OD, OH, OW, sd, sh, sw, pd, ph, pw, dd, dh, dw, col);
}

export function im2colF64(
  x: usize, sC: i32, sD: i32, sH: i32, sW: i32, C: i32,
  D: i32, H: i32, W: i32, KD: i32, KH: i32, KW: i32, OD: i32, OH: i32, OW: i32,
  sd: i32, sh: i32, sw: i32, pd: i32, ph: i32, pw: i32, dd: i32, dh: i32, dw: i32, col: usize,
): void {
  im2col<f64>(x, sC, sD, sH, sW, C, D, H, W, KD, KH, KW, OD, OH, OW, sd, sh, sw, pd, ph, pw, dd, dh, dw, col);
}

// col2im for transposed convolutions (and conv's input gradient): folds `col`, row-major
// [C * KD*KH*KW, ID*IH*IW], into the contiguous block `out` [C, OD, OH, OW], adding overlapping
// windows in the same order as the TS col2im (so the sums are identical).

/** out run += col run for `rows` runs of `bytes` (a multiple of 16), loops shaped as copyRows'. */
// @ts-ignore: decorator
@inline function addRows<T>(p: usize, q: usize, rows: i32, bytes: usize, pStep: usize, qStep: usize): void {
  if (rows <= 0) return;
  const end = q + <usize>rows * qStep;
  if (bytes == 32) {
    for (; q < end; p += pStep, q += qStep) {
      v128.store(p, addV<T>(v128.load(p), v128.load(q)));
      v128.store(p, addV<T>(v128.load(p, 16), v128.load(q, 16)), 16);
    }
  } else {
    for (; q < end; p += pStep, q += qStep) {
      let a = p, b = q;
      const rowEnd = q + bytes;
      do {
        v128.store(a, addV<T>(v128.load(a), v128.load(b)));
        a += 16;
        b += 16;
      } while (b < rowEnd);
    }
  }
}

// @ts-ignore: decorator
@inline function addV<T>(a: v128, b: v128): v128 {
  return sizeof<T>() == 4 ? f32x4.add(a, b) : f64x2.add(a, b);
}

// @ts-ignore: decorator
@inline export function col2im<T>(
  col: usize, out: usize, C: i32, ID: i32, IH: i32, IW: i32, KD: i32, KH: i32, KW: i32, OD: i32, OH: i32, OW: i32,
  sd: i32, sh: i32, sw: i32, pd: i32, ph: i32, pw: i32, dd: i32, dh: i32, dw: i32,
): void {
  const sz = <i32>sizeof<T>();
  const L = OD * OH * OW;
  let r = 0;
  for (let c = 0; c < C; c++) {
    for (let kd = 0; kd < KD; kd++) {
      for (let kh = 0; kh < KH; kh++) {
        for (let kw = 0; kw < KW; kw++) {
          const wOff = kw * dw - pw;
          let iwLo = 0;
          if (wOff < 0) iwLo = min(IW, divBy(-wOff + sw - 1, sw));
          let iwHi = OW - 1 - wOff < 0 ? 0 : min(IW, divBy(OW - 1 - wOff, sw) + 1);
          if (iwHi < iwLo) iwHi = iwLo;
          const n = iwHi - iwLo;
          for (let id = 0; id < ID; id++) {
            const od = id * sd - pd + kd * dd;
            if (od < 0 || od >= OD) {
              r += IH * IW;
              continue;
            }
            // Input rows whose output row lies inside [0, OH): [ihLo, ihHi); the others add nothing.
            const t = ph - kh * dh;
            const ihLo = t <= 0 ? 0 : min(IH, divBy(t + sh - 1, sh));
            const u = OH - 1 + t;
            let ihHi = u < 0 ? 0 : min(IH, divBy(u, sh) + 1);
            if (ihHi < ihLo) ihHi = ihLo;
            let p0 = out + <usize>((c * L + (od * OH + ihLo * sh - t) * OW + wOff + iwLo * sw) * sz);
            let q0 = col + <usize>((r + ihLo * IW + iwLo) * sz);
            const pStep = <usize>(sh * OW * sz), qStep = <usize>(IW * sz);
            if (sw == 1 && n > 0 && ((<usize>n * sz) & 15) == 0) {
              addRows<T>(p0, q0, ihHi - ihLo, <usize>n * sz, pStep, qStep);
              r += IH * IW;
              continue;
            }
            for (let ih = ihLo; ih < ihHi; ih++, p0 += pStep, q0 += qStep) {
              let p = p0, q = q0;
              let i = 0;
              if (sw == 1) {
                for (; i + 16 / sz <= n; i += 16 / sz) {
                  v128.store(p, sz == 4 ? f32x4.add(v128.load(p), v128.load(q)) : f64x2.add(v128.load(p), v128.load(q)));
                  p += 16;
                  q += 16;
                }
              }
              for (; i < n; i++) {
                store<T>(p, load<T>(p) + load<T>(q));
                p += <usize>(sw * sz);
                q += sz;
              }
            }
            r += IH * IW;
          }
        }
      }
    }
  }
}

export function col2imF32(
  col: usize, out: usize, C: i32, ID: i32, IH: i32, IW: i32, KD: i32, KH: i32, KW: i32, OD: i32, OH: i32, OW: i32,
  sd: i32, sh: i32, sw: i32, pd: i32, ph: i32, pw: i32, dd: i32, dh: i32, dw: i32,
): void {
  col2im<f32>(col, out, C, ID, IH, IW, KD, KH, KW, OD, OH, OW, sd, sh, sw, pd, ph, pw, dd, dh, dw);
}

export function col2imF64(
  col: usize, out: usize, C: i32, ID: i32, IH: i32, IW: i32, KD: i32, KH: i32, KW: i32, OD: i32, OH: i32, OW: i32,
  sd: i32, sh: i32, sw: i32, pd: i32, ph: i32, pw: i32, dd: i32, dh: i32, dw: i32,
): void {
  col2im<f64>(col, out, C, ID, IH, IW, KD, KH, KW, OD, OH, OW, sd, sh, sw, pd, ph, pw, dd, dh, dw);
}
