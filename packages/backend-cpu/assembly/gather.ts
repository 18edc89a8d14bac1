// gather and scatter / scatter_add (src/kernels/indexing/gather.ts keeps every other case) for
// float32/float64 values and int64 indices, over a walk of at most two dims (rows of `len`):
// every operand has an outer (row) and inner stride in elements; the value's offset along the
// indexed dim is index * dimStride. Indices are checked first, so a bad one changes nothing:
// the kernels return 0, or 1 + the walk position (row * len + i) of the first index outside
// [0, size) for the caller's error message. Same visiting order as the TS kernels.

// @ts-ignore: decorator
@inline function badIndex(rows: i32, len: i32, idx: usize, irs: i32, ics: i32, size: i64): i32 {
  for (let r = 0; r < rows; r++) {
    let p = idx + <usize>(r * irs) * 8;
    for (let i = 0; i < len; i++, p += <usize>ics * 8) {
      const v = load<i64>(p);
      if (v < 0 || v >= size) return r * len + i + 1;
    }
  }
  return 0;
}

// @ts-ignore: decorator
@inline function gather<T>(
  rows: i32, len: i32, o: usize, ors: i32, ocs: i32, a: usize, ars: i32, acs: i32, dimStride: i32, size: i32,
  idx: usize, irs: i32, ics: i32,
): i32 {
  const bad = badIndex(rows, len, idx, irs, ics, size);
  if (bad) return bad;
  const sz = <usize>sizeof<T>();
  for (let r = 0; r < rows; r++) {
    const po = o + <usize>(r * ors) * sz, pa = a + <usize>(r * ars) * sz, pi = idx + <usize>(r * irs) * 8;
    for (let i = 0; i < len; i++) {
      const k = <i32>load<i64>(pi + <usize>(i * ics) * 8);
      store<T>(po + <usize>(i * ocs) * sz, load<T>(pa + <usize>(i * acs + k * dimStride) * sz));
    }
  }
  return 0;
}

export function gatherF32(
  rows: i32, len: i32, o: usize, ors: i32, ocs: i32, a: usize, ars: i32, acs: i32, dimStride: i32, size: i32,
  idx: usize, irs: i32, ics: i32,
): i32 {
  return gather<f32>(rows, len, o, ors, ocs, a, ars, acs, dimStride, size, idx, irs, ics);
}

export function gatherF64(
  rows: i32, len: i32, o: usize, ors: i32, ocs: i32, a: usize, ars: i32, acs: i32, dimStride: i32, size: i32,
  idx: usize, irs: i32, ics: i32,
): i32 {
  return gather<f64>(rows, len, o, ors, ocs, a, ars, acs, dimStride, size, idx, irs, ics);
}

// @ts-ignore: decorator
@inline function scatterUnit<T>(add: bool, rows: i32, len: i32, t: usize, trs: i32, tcs: i32, dimStride: i32, idx: usize, irs: i32, s: usize, srs: i32): void {
  const sz = <usize>sizeof<T>();
  const ts = <usize>tcs * sz, ds = <isize>dimStride * sz;
  for (let r = 0; r < rows; r++) {
    let pt = t + <usize>(r * trs) * sz, ps = s + <usize>(r * srs) * sz, pi = idx + <usize>(r * irs) * 8;
    const end = pi + <usize>len * 8;
    for (; pi < end; pi += 8, ps += sz, pt += ts) {
      const q = pt + <usize>(<isize>load<i64>(pi) * ds);
      store<T>(q, add ? load<T>(q) + load<T>(ps) : load<T>(ps));
    }
  }
}

function scatterAddUnit<T>(rows: i32, len: i32, t: usize, trs: i32, tcs: i32, dimStride: i32, idx: usize, irs: i32, s: usize, srs: i32): void {
  scatterUnit<T>(true, rows, len, t, trs, tcs, dimStride, idx, irs, s, srs);
}

function scatterSetUnit<T>(rows: i32, len: i32, t: usize, trs: i32, tcs: i32, dimStride: i32, idx: usize, irs: i32, s: usize, srs: i32): void {
  scatterUnit<T>(false, rows, len, t, trs, tcs, dimStride, idx, irs, s, srs);
}

// `add` 0: t[index] = src (scatter); 1: t[index] += src (scatter_add).
// @ts-ignore: decorator
@inline function scatter<T>(
  add: i32, rows: i32, len: i32, t: usize, trs: i32, tcs: i32, dimStride: i32, size: i32,
  idx: usize, irs: i32, ics: i32, s: usize, srs: i32, scs: i32,
): i32 {
  const bad = badIndex(rows, len, idx, irs, ics, size);
  if (bad) return bad;
  if (ics == 1 && scs == 1) {
    // Index and source rows contiguous (max pooling's backward, most scatter_add calls): pointer
    // steps in a loop of its own per mode (4x faster than the general loop below).
    if (add) scatterAddUnit<T>(rows, len, t, trs, tcs, dimStride, idx, irs, s, srs);
    else scatterSetUnit<T>(rows, len, t, trs, tcs, dimStride, idx, irs, s, srs);
    return 0;
  }
  const sz = <usize>sizeof<T>();
  for (let r = 0; r < rows; r++) {
    const pt = t + <usize>(r * trs) * sz, ps = s + <usize>(r * srs) * sz, pi = idx + <usize>(r * irs) * 8;
    for (let i = 0; i < len; i++) {
      const k = <i32>load<i64>(pi + <usize>(i * ics) * 8);
      const q = pt + <usize>(i * tcs + k * dimStride) * sz;
      const v = load<T>(ps + <usize>(i * scs) * sz);
      store<T>(q, add ? load<T>(q) + v : v);
    }
  }
  return 0;
}

export function scatterF32(
  add: i32, rows: i32, len: i32, t: usize, trs: i32, tcs: i32, dimStride: i32, size: i32,
  idx: usize, irs: i32, ics: i32, s: usize, srs: i32, scs: i32,
): i32 {
  return scatter<f32>(add, rows, len, t, trs, tcs, dimStride, size, idx, irs, ics, s, srs, scs);
}

export function scatterF64(
  add: i32, rows: i32, len: i32, t: usize, trs: i32, tcs: i32, dimStride: i32, size: i32,
  idx: usize, irs: i32, ics: i32, s: usize, srs: i32, scs: i32,
): i32 {
  return scatter<f64>(add, rows, len, t, trs, tcs, dimStride, size, idx, irs, ics, s, srs, scs);
}
