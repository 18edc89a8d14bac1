// Row kernels for indexing along dim 0 (embedding forward and backward; src/wasm/rows.ts routes
// index_select and index_add_ here). A row is the tensor without dim 0, contiguous; indices are
// int64 or int32 (`wide`), read in place with a stride in elements. Callers check the indices
// first (firstBadIndex), so the copy and add kernels never see one out of range.

/** 0 when every index is in [0, size), else 1 + the position of the first one that is not. */
export function firstBadIndex(n: i32, idx: usize, stride: i32, wide: i32, size: i32): i32 {
  for (let j = 0; j < n; j++) {
    const v = wide ? load<i64>(idx + <usize>(j * stride) * 8) : <i64>load<i32>(idx + <usize>(j * stride) * 4);
    if (v < 0 || v >= <i64>size) return j + 1;
  }
  return 0;
}

// @ts-ignore: decorator
@inline function indexAt(idx: usize, j: i32, stride: i32, wide: i32): usize {
  return wide ? <usize>load<i64>(idx + <usize>(j * stride) * 8) : <usize>load<i32>(idx + <usize>(j * stride) * 4);
}

/** out row j (rows of rowBytes, packed) = src row idx[j] (rows srcStride bytes apart), for j in [j0, j1). Any dtype. */
export function indexSelectRows(j0: i32, j1: i32, rowBytes: i32, out: usize, src: usize, srcStride: i32, idx: usize, stride: i32, wide: i32): void {
  for (let j = j0; j < j1; j++) {
    memory.copy(out + <usize>j * <usize>rowBytes, src + indexAt(idx, j, stride, wide) * <usize>srcStride, <usize>rowBytes);
  }
}

/**
 * self row idx[j] += alpha * source row j, for j in [0, n) in order (repeated indices add in
 * turn), over columns [c0, c1): splitting columns keeps each element's order. Rows are tStride /
 * sStride elements apart. float32 adds in f32 when alpha is 1 and otherwise computes in f64 and
 * rounds once, as the TS kernel's double arithmetic does.
 */
export function indexAddRowsF32(n: i32, c0: i32, c1: i32, t: usize, tStride: i32, s: usize, sStride: i32, idx: usize, stride: i32, wide: i32, alpha: f64): void {
  const va = f64x2.splat(alpha);
  for (let j = 0; j < n; j++) {
    const pt = t + indexAt(idx, j, stride, wide) * <usize>tStride * 4, ps = s + <usize>(j * sStride) * 4;
    let c = c0;
    if (alpha == 1) {
      for (; c + 4 <= c1; c += 4) {
        const o = <usize>c * 4;
        v128.store(pt + o, f32x4.add(v128.load(pt + o), v128.load(ps + o)));
      }
    } else {
      for (; c + 2 <= c1; c += 2) {
        const o = <usize>c * 4;
        const sum = f64x2.add(f64x2.promote_low_f32x4(v128.load64_zero(pt + o)), f64x2.mul(va, f64x2.promote_low_f32x4(v128.load64_zero(ps + o))));
        v128.store64_lane(pt + o, f32x4.demote_f64x2_zero(sum), 0);
      }
    }
    for (; c < c1; c++) {
      const o = <usize>c * 4;
      store<f32>(pt + o, <f32>(<f64>load<f32>(pt + o) + alpha * <f64>load<f32>(ps + o)));
    }
  }
}

export function indexAddRowsF64(n: i32, c0: i32, c1: i32, t: usize, tStride: i32, s: usize, sStride: i32, idx: usize, stride: i32, wide: i32, alpha: f64): void {
  const va = f64x2.splat(alpha);
  for (let j = 0; j < n; j++) {
    const pt = t + indexAt(idx, j, stride, wide) * <usize>tStride * 8, ps = s + <usize>(j * sStride) * 8;
    let c = c0;
    for (; c + 2 <= c1; c += 2) {
      const o = <usize>c * 8;
      v128.store(pt + o, f64x2.add(v128.load(pt + o), f64x2.mul(va, v128.load(ps + o))));
    }
    for (; c < c1; c++) {
      const o = <usize>c * 8;
      store<f64>(pt + o, load<f64>(pt + o) + alpha * load<f64>(ps + o));
    }
  }
}
