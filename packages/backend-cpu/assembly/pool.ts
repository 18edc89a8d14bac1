// Pooling over the trailing three dims (1-d and 2-d problems come with leading size-1 dims) of
// `planes` planes, the same loops as the TS kernels (src/kernels/nn/pool.ts) so results are
// identical. Windows come as an i32 table at `win`: lo[OD], hi[OD], lo[OH], hi[OH], lo[OW], hi[OW]
// (first valid input index, exclusive end), which describes padding, ceil mode and adaptive
// pooling alike; averages take per-dim divisor factors as an f64 table at `div` (D, H, W parts)
// or a fixed divisor `over` (non-zero). Input planes start `ps` elements apart with strides sD, sH, sW;
// outputs (and the average's input gradient) are contiguous. Sums accumulate in f64 like the TS.

// @ts-ignore: decorator
@inline function lo(win: usize, i: i32): i32 {
  return load<i32>(win + (<usize>i << 2));
}

// @ts-ignore: decorator
@inline function maxPool<T>(
  x: usize, ps: i32, sD: i32, sH: i32, sW: i32, planes: i32, H: i32, W: i32, OD: i32, OH: i32, OW: i32,
  dd: i32, dh: i32, dw: i32, win: usize, out: usize, idx: usize,
): void {
  const sz = <usize>sizeof<T>();
  const hD = OD, lH = 2 * OD, hH = lH + OH, lW = hH + OH, hW = lW + OW;
  if (sizeof<T>() == 4 && sW == 1 && dh == 1 && dw == 1 && (OW & 3) == 0 && plain2x2(win, OD, OH, OW)) {
    maxPool2x2PlanesF32(x, ps, sD, sH, planes, H, W, OD, OH, OW, win, out, idx);
    return;
  }
  for (let p = 0; p < planes; p++) {
    const base = x + <usize>(p * ps) * sz;
    for (let od = 0; od < OD; od++) {
      const d0 = lo(win, od), d1 = lo(win, hD + od);
      for (let oh = 0; oh < OH; oh++) {
        const h0 = lo(win, lH + oh), h1 = lo(win, hH + oh);
        for (let ow = 0; ow < OW; ow++) {
          const w0 = lo(win, lW + ow), w1 = lo(win, hW + ow);
          if (sizeof<T>() == 4 && ow + 4 <= OW) {
            const s = lo(win, lW + ow + 1) - w0;
            if (s == 2 && w1 - w0 == 2 && sW == 1 && evenWindows(win, lW + ow, hW + ow, 2, 2)) {
              maxPool2x4F32(base, sD, sH, H, W, d0, d1, h0, h1, w0, dd, dh, out, idx);
              ow += 3;
              out += 16;
              idx += 32;
              continue;
            }
            if (s > 0 && evenWindows(win, lW + ow, hW + ow, s, w1 - w0)) {
              maxPool4F32(base, sD, sH, sW, H, W, d0, d1, h0, h1, w0, w1, s, dd, dh, dw, out, idx);
              ow += 3;
              out += 16;
              idx += 32;
              continue;
            }
          }
          let best = <T>-Infinity;
          let bestIdx = (d0 * H + h0) * W + w0;
          let nan = false;
          for (let id = d0; id < d1 && !nan; id += dd) {
            for (let ih = h0; ih < h1; ih += dh) {
              const row = base + <usize>(id * sD + ih * sH) * sz;
              for (let iw = w0; iw < w1; iw += dw) {
                const v = load<T>(row + <usize>(iw * sW) * sz);
                const at = (id * H + ih) * W + iw;
                // Branch-free update (random data mispredicts a branch half the time).
                const better = v > best;
                best = select<T>(v, best, better);
                bestIdx = select<i32>(at, bestIdx, better);
                // NaN wins, as in PyTorch (and stops the search).
                if (v != v) {
                  best = v;
                  bestIdx = at;
                  nan = true;
                  break;
                }
              }
              if (nan) break;
            }
          }
          store<T>(out, best);
          store<i64>(idx, <i64>bestIdx);
          out += sz;
          idx += 8;
        }
      }
    }
  }
}

// Whether the four windows starting at table entries lo, hi have width n and starts s apart.
// @ts-ignore: decorator
@inline function evenWindows(win: usize, lo_: i32, hi_: i32, s: i32, n: i32): bool {
  const w0 = lo(win, lo_);
  for (let j = 1; j < 4; j++) {
    if (lo(win, lo_ + j) != w0 + j * s || lo(win, hi_ + j) - lo(win, lo_ + j) != n) return false;
  }
  return true;
}

/** Lanes where v replaces best: greater or NaN, unless best already holds a NaN (which stops its search). */
// @ts-ignore: decorator
@inline function takes(v: v128, best: v128): v128 {
  return v128.and(v128.or(f32x4.gt(v, best), f32x4.ne(v, v)), f32x4.eq(best, best));
}

// Four float32 outputs at once (lane j: the window starting s*j further along W), the same
// comparisons in the same order as the scalar loop: a lane takes a value that is greater or NaN
// unless it already holds a NaN (which stops its search).
// @ts-ignore: decorator
@inline function maxPool4F32(
  base: usize, sD: i32, sH: i32, sW: i32, H: i32, W: i32, d0: i32, d1: i32, h0: i32, h1: i32, w0: i32, w1: i32, s: i32,
  dd: i32, dh: i32, dw: i32, out: usize, idx: usize,
): void {
  const laneOff = i32x4.mul(i32x4(0, 1, 2, 3), i32x4.splat(s));
  let best = f32x4.splat(-Infinity);
  let bi = i32x4.add(i32x4.splat((d0 * H + h0) * W + w0), laneOff);
  const step = <usize>(s * sW) << 2;
  for (let id = d0; id < d1; id += dd) {
    for (let ih = h0; ih < h1; ih += dh) {
      const row = base + (<usize>(id * sD + ih * sH) << 2);
      const rowIdx = (id * H + ih) * W;
      for (let iw = w0; iw < w1; iw += dw) {
        const p = row + (<usize>(iw * sW) << 2);
        let v: v128;
        if (sW == 1 && s == 1) {
          v = v128.load(p);
        } else if (sW == 1 && s == 2) {
          // Elements 0, 2, 4, 6 without reading past element 6.
          v = v128.shuffle<f32>(v128.load(p), v128.load(p + 12), 0, 2, 5, 7);
        } else {
          v = f32x4.splat(load<f32>(p));
          v = f32x4.replace_lane(v, 1, load<f32>(p + step));
          v = f32x4.replace_lane(v, 2, load<f32>(p + 2 * step));
          v = f32x4.replace_lane(v, 3, load<f32>(p + 3 * step));
        }
        const take = takes(v, best);
        best = v128.bitselect(v, best, take);
        bi = v128.bitselect(i32x4.add(i32x4.splat(rowIdx + iw), laneOff), bi, take);
      }
    }
  }
  v128.store(out, best);
  v128.store(idx, i64x2.extend_low_i32x4_s(bi));
  v128.store(idx + 16, i64x2.extend_high_i32x4_s(bi));
}

// maxPool4F32 for the commonest windows: two wide, two apart, unit W stride (2x2 stride-2 pooling).
// Each input row of the four windows is two vectors split into their even and odd elements: the
// windows' first and second columns, taken in that order as the scalar loop does.
// @ts-ignore: decorator
@inline function maxPool2x4F32(
  base: usize, sD: i32, sH: i32, H: i32, W: i32, d0: i32, d1: i32, h0: i32, h1: i32, w0: i32,
  dd: i32, dh: i32, out: usize, idx: usize,
): void {
  const even = i32x4(0, 2, 4, 6), odd = i32x4(1, 3, 5, 7);
  let best = f32x4.splat(-Infinity);
  let bi = i32x4.add(i32x4.splat((d0 * H + h0) * W + w0), even);
  for (let id = d0; id < d1; id += dd) {
    for (let ih = h0; ih < h1; ih += dh) {
      const p = base + (<usize>(id * sD + ih * sH + w0) << 2);
      const at = i32x4.splat((id * H + ih) * W + w0);
      const a = v128.load(p), b = v128.load(p, 16);
      const v0 = v128.shuffle<f32>(a, b, 0, 2, 4, 6), v1 = v128.shuffle<f32>(a, b, 1, 3, 5, 7);
      let take = takes(v0, best);
      best = v128.bitselect(v0, best, take);
      bi = v128.bitselect(i32x4.add(at, even), bi, take);
      take = takes(v1, best);
      best = v128.bitselect(v1, best, take);
      bi = v128.bitselect(i32x4.add(at, odd), bi, take);
    }
  }
  v128.store(out, best);
  v128.store(idx, i64x2.extend_low_i32x4_s(bi));
  v128.store(idx + 16, i64x2.extend_high_i32x4_s(bi));
}

/**
 * Whether every window is the plain 2x2 stride-2 one over H and W (one element along D): LeNet's
 * and VGG's pooling. Checked once per call from the window table.
 */
// @ts-ignore: decorator
@inline function plain2x2(win: usize, OD: i32, OH: i32, OW: i32): bool {
  const hD = OD, lH = 2 * OD, hH = lH + OH, lW = hH + OH, hW = lW + OW;
  for (let od = 0; od < OD; od++) if (lo(win, hD + od) - lo(win, od) != 1) return false;
  for (let oh = 0; oh < OH; oh++) if (lo(win, lH + oh) != 2 * oh || lo(win, hH + oh) != 2 * oh + 2) return false;
  for (let ow = 0; ow < OW; ow++) if (lo(win, lW + ow) != 2 * ow || lo(win, hW + ow) != 2 * ow + 2) return false;
  return true;
}

/**
 * float32 2x2 stride-2 max pooling of whole planes (OW a multiple of 4, unit W stride): four
 * outputs per step from two input rows, with maxPool2x4F32's comparisons in the same order
 * (identical values and positions) but none of the per-output window lookups, which cost more
 * than the comparisons (2.5x faster).
 */
function maxPool2x2PlanesF32(
  x: usize, ps: i32, sD: i32, sH: i32, planes: i32, H: i32, W: i32, OD: i32, OH: i32, OW: i32, win: usize, out: usize, idx: usize,
): void {
  const even = i32x4(0, 2, 4, 6), odd = i32x4(1, 3, 5, 7);
  for (let p = 0; p < planes; p++) {
    for (let od = 0; od < OD; od++) {
      const id = lo(win, od);
      for (let oh = 0; oh < OH; oh++) {
        const ih = 2 * oh;
        const r0 = x + (<usize>(p * ps + id * sD + ih * sH) << 2), r1 = r0 + (<usize>sH << 2);
        let at0 = i32x4.splat((id * H + ih) * W);
        const down = i32x4.splat(W), step = i32x4.splat(8);
        const end = out + (<usize>OW << 2);
        for (let q: usize = 0; out < end; out += 16, idx += 32, q += 32) {
          let a = v128.load(r0 + q), b = v128.load(r0 + q, 16);
          let v0 = v128.shuffle<f32>(a, b, 0, 2, 4, 6), v1 = v128.shuffle<f32>(a, b, 1, 3, 5, 7);
          // The first value always wins over -inf's "no value yet" (a NaN too): the lane's best.
          let best = v0;
          let bi = i32x4.add(at0, even);
          let take = takes(v1, best);
          best = v128.bitselect(v1, best, take);
          bi = v128.bitselect(i32x4.add(at0, odd), bi, take);
          const at1 = i32x4.add(at0, down);
          a = v128.load(r1 + q);
          b = v128.load(r1 + q, 16);
          v0 = v128.shuffle<f32>(a, b, 0, 2, 4, 6);
          v1 = v128.shuffle<f32>(a, b, 1, 3, 5, 7);
          take = takes(v0, best);
          best = v128.bitselect(v0, best, take);
          bi = v128.bitselect(i32x4.add(at1, even), bi, take);
          take = takes(v1, best);
          best = v128.bitselect(v1, best, take);
          bi = v128.bitselect(i32x4.add(at1, odd), bi, take);
          v128.store(out, best);
          v128.store(idx, i64x2.extend_low_i32x4_s(bi));
          v128.store(idx + 16, i64x2.extend_high_i32x4_s(bi));
          at0 = i32x4.add(at0, step);
        }
      }
    }
  }
}

export function maxPoolF32(
  x: usize, ps: i32, sD: i32, sH: i32, sW: i32, planes: i32, H: i32, W: i32, OD: i32, OH: i32, OW: i32,
  dd: i32, dh: i32, dw: i32, win: usize, out: usize, idx: usize,
): void {
  maxPool<f32>(x, ps, sD, sH, sW, planes, H, W, OD, OH, OW, dd, dh, dw, win, out, idx);
}

export function maxPoolF64(
  x: usize, ps: i32, sD: i32, sH: i32, sW: i32, planes: i32, H: i32, W: i32, OD: i32, OH: i32, OW: i32,
  dd: i32, dh: i32, dw: i32, win: usize, out: usize, idx: usize,
): void {
  maxPool<f64>(x, ps, sD, sH, sW, planes, H, W, OD, OH, OW, dd, dh, dw, win, out, idx);
}

// @ts-ignore: decorator
@inline function divisor(div: usize, over: f64, OD: i32, OH: i32, od: i32, oh: i32, ow: i32): f64 {
  if (over != 0) return over;
  return load<f64>(div + (<usize>od << 3)) * load<f64>(div + (<usize>(OD + oh) << 3)) * load<f64>(div + (<usize>(OD + OH + ow) << 3));
}

// @ts-ignore: decorator
@inline function avgPool<T>(
  x: usize, ps: i32, sD: i32, sH: i32, sW: i32, planes: i32, OD: i32, OH: i32, OW: i32,
  win: usize, div: usize, over: f64, out: usize,
): void {
  const sz = <usize>sizeof<T>();
  const hD = OD, lH = 2 * OD, hH = lH + OH, lW = hH + OH, hW = lW + OW;
  for (let p = 0; p < planes; p++) {
    const base = x + <usize>(p * ps) * sz;
    for (let od = 0; od < OD; od++) {
      const d0 = lo(win, od), d1 = lo(win, hD + od);
      for (let oh = 0; oh < OH; oh++) {
        const h0 = lo(win, lH + oh), h1 = lo(win, hH + oh);
        for (let ow = 0; ow < OW; ow++) {
          const w0 = lo(win, lW + ow), w1 = lo(win, hW + ow);
          let sum: f64 = 0;
          for (let id = d0; id < d1; id++) {
            for (let ih = h0; ih < h1; ih++) {
              const row = base + <usize>(id * sD + ih * sH) * sz;
              for (let iw = w0; iw < w1; iw++) sum += <f64>load<T>(row + <usize>(iw * sW) * sz);
            }
          }
          store<T>(out, <T>(sum / divisor(div, over, OD, OH, od, oh, ow)));
          out += sz;
        }
      }
    }
  }
}

export function avgPoolF32(
  x: usize, ps: i32, sD: i32, sH: i32, sW: i32, planes: i32, OD: i32, OH: i32, OW: i32,
  win: usize, div: usize, over: f64, out: usize,
): void {
  avgPool<f32>(x, ps, sD, sH, sW, planes, OD, OH, OW, win, div, over, out);
}

export function avgPoolF64(
  x: usize, ps: i32, sD: i32, sH: i32, sW: i32, planes: i32, OD: i32, OH: i32, OW: i32,
  win: usize, div: usize, over: f64, out: usize,
): void {
  avgPool<f64>(x, ps, sD, sH, sW, planes, OD, OH, OW, win, div, over, out);
}

// The average's input gradient: each output gradient (at `g`, planes `ps` apart, strides sD, sH,
// sW over the output dims) divided by its divisor and added over its window of the zeroed,
// contiguous `gi` [planes, D, H, W].
// @ts-ignore: decorator
@inline function avgPoolBackward<T>(
  g: usize, ps: i32, sD: i32, sH: i32, sW: i32, planes: i32, D: i32, H: i32, W: i32, OD: i32, OH: i32, OW: i32,
  win: usize, div: usize, over: f64, gi: usize,
): void {
  const sz = <usize>sizeof<T>();
  const hD = OD, lH = 2 * OD, hH = lH + OH, lW = hH + OH, hW = lW + OW;
  for (let p = 0; p < planes; p++) {
    const base = g + <usize>(p * ps) * sz;
    const inBase = gi + <usize>(p * D * H * W) * sz;
    for (let od = 0; od < OD; od++) {
      const d0 = lo(win, od), d1 = lo(win, hD + od);
      for (let oh = 0; oh < OH; oh++) {
        const h0 = lo(win, lH + oh), h1 = lo(win, hH + oh);
        for (let ow = 0; ow < OW; ow++) {
          const w0 = lo(win, lW + ow), w1 = lo(win, hW + ow);
          const v = <f64>load<T>(base + <usize>(od * sD + oh * sH + ow * sW) * sz) / divisor(div, over, OD, OH, od, oh, ow);
          for (let id = d0; id < d1; id++) {
            for (let ih = h0; ih < h1; ih++) {
              const row = inBase + <usize>((id * H + ih) * W) * sz;
              for (let iw = w0; iw < w1; iw++) {
                const q = row + <usize>iw * sz;
                store<T>(q, <T>(<f64>load<T>(q) + v));
              }
            }
          }
        }
      }
    }
  }
}

export function avgPoolBackwardF32(
  g: usize, ps: i32, sD: i32, sH: i32, sW: i32, planes: i32, D: i32, H: i32, W: i32, OD: i32, OH: i32, OW: i32,
  win: usize, div: usize, over: f64, gi: usize,
): void {
  avgPoolBackward<f32>(g, ps, sD, sH, sW, planes, D, H, W, OD, OH, OW, win, div, over, gi);
}

export function avgPoolBackwardF64(
  g: usize, ps: i32, sD: i32, sH: i32, sW: i32, planes: i32, D: i32, H: i32, W: i32, OD: i32, OH: i32, OW: i32,
  win: usize, div: usize, over: f64, gi: usize,
): void {
  avgPoolBackward<f64>(g, ps, sD, sH, sW, planes, D, H, W, OD, OH, OW, win, div, over, gi);
}

// Max pooling's backward (pool_max_nd_backward): per plane, zero the input gradient and add each
// output gradient at its window's argmax (flat over the pooled dims; overlapping windows add in
// output order, as the TS kernel does). One pass per plane while it is in cache, instead of a
// zero-fill of the whole tensor followed by a scatter_add. An index outside the plane traps before
// anything is written there (the caller reports it).

// @ts-ignore: decorator
@inline function maxPoolBackward<T>(planes: i32, inPlane: i32, outPlane: i32, g: usize, gs: i32, idx: usize, gi: usize): void {
  const sz = <usize>sizeof<T>();
  for (let p = 0; p < planes; p++) {
    const base = gi + <usize>(p * inPlane) * sz;
    const gp = g + <usize>(p * gs) * sz, ip = idx + <usize>(p * outPlane) * 8;
    memory.fill(base, 0, <usize>inPlane * sz);
    for (let o = 0; o < outPlane; o++) {
      const k = load<i64>(ip + <usize>o * 8);
      if (<u64>k >= <u64>inPlane) unreachable();
      const q = base + <usize>k * sz;
      store<T>(q, load<T>(q) + load<T>(gp + <usize>o * sz));
    }
  }
}

export function maxPoolBackwardF32(planes: i32, inPlane: i32, outPlane: i32, g: usize, gs: i32, idx: usize, gi: usize): void {
  maxPoolBackward<f32>(planes, inPlane, outPlane, g, gs, idx, gi);
}

export function maxPoolBackwardF64(planes: i32, inPlane: i32, outPlane: i32, g: usize, gs: i32, idx: usize, gi: usize): void {
  maxPoolBackward<f64>(planes, inPlane, outPlane, g, gs, idx, gi);
}
