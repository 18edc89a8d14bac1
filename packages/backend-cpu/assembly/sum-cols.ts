// Column sums (reductions along non-last dims: `x.sum(0)`, `gy.sum([0, 1])` of [N, L, C]): the
// kept columns are contiguous, the reduced positions strided. Each column adds its positions one
// after another, in their order:
// - float32 in float32 for BLOCK_ROWS positions at a time, each block's sum then added in float64
//   (the open block last), the total divided and rounded once;
// - float64 in float64.
// The memory is walked row by row through panels of up to PANEL columns (their accumulators in
// the caller's scratch, in L1), PASS positions per pass over the panel: each pass reads PASS
// sequential runs, where strips of columns walking down all positions read one cache line per
// position and ran 1.5-2x slower. A column's bytes depend on neither its panel nor the split.

const BLOCK_ROWS = 64;
const PANEL = 1024;
const PASS = 8;

/** acc[0, cols) += the rows positions at p (byte stride s), each column in position order. */
// @ts-ignore: decorator
@inline function addRows<T>(p: usize, s: usize, rows: i32, acc: usize, cols: i32): void {
  const sz = <usize>sizeof<T>();
  const lanes = 16 / <i32>sz;
  const vend = cols & ~(lanes - 1);
  let j = 0;
  for (; j + 4 * lanes <= vend; j += 4 * lanes) {
    const a = acc + <usize>j * sz;
    let q = p + <usize>j * sz;
    let v0 = v128.load(a), v1 = v128.load(a, 16), v2 = v128.load(a, 32), v3 = v128.load(a, 48);
    for (let r = 0; r < rows; r++, q += s) {
      v0 = vadd<T>(v0, v128.load(q));
      v1 = vadd<T>(v1, v128.load(q, 16));
      v2 = vadd<T>(v2, v128.load(q, 32));
      v3 = vadd<T>(v3, v128.load(q, 48));
    }
    v128.store(a, v0);
    v128.store(a, v1, 16);
    v128.store(a, v2, 32);
    v128.store(a, v3, 48);
  }
  for (; j < vend; j += lanes) {
    const a = acc + <usize>j * sz;
    let q = p + <usize>j * sz;
    let v = v128.load(a);
    for (let r = 0; r < rows; r++, q += s) v = vadd<T>(v, v128.load(q));
    v128.store(a, v);
  }
  for (; j < cols; j++) {
    const a = acc + <usize>j * sz;
    let q = p + <usize>j * sz;
    let v = load<T>(a);
    for (let r = 0; r < rows; r++, q += s) v += load<T>(q);
    store<T>(a, v);
  }
}

// @ts-ignore: decorator
@inline function vadd<T>(a: v128, b: v128): v128 {
  return sizeof<T>() == 4 ? f32x4.add(a, b) : f64x2.add(a, b);
}

/** float32: d[j] += acc[j] in float64, acc[j] = 0 (a block ends). */
function flushF32(acc: usize, d: usize, cols: i32): void {
  let j = 0;
  for (; j + 4 <= cols; j += 4) {
    const p = acc + (<usize>j << 2), q = d + (<usize>j << 3);
    const a = v128.load(p);
    v128.store(q, f64x2.add(v128.load(q), f64x2.promote_low_f32x4(a)));
    v128.store(q, f64x2.add(v128.load(q, 16), f64x2.promote_low_f32x4(i32x4.shuffle(a, a, 2, 3, 0, 1))), 16);
    v128.store(p, f32x4.splat(0));
  }
  for (; j < cols; j++) {
    store<f64>(d + (<usize>j << 3), load<f64>(d + (<usize>j << 3)) + <f64>load<f32>(acc + (<usize>j << 2)));
    store<f32>(acc + (<usize>j << 2), 0);
  }
}

/**
 * The float64 sums of columns [0, cols) at x (cols <= PANEL) over reduced positions [p0, p1) (the
 * position i * n0 + k at element offset i * s1 + k * s0; p0 a multiple of BLOCK_ROWS), left in
 * the scratch (2 * PANEL float64) at sumsAt<T>(scratch).
 */
// @ts-ignore: decorator
@inline function panel<T>(x: usize, s1: i32, n0: i32, s0: i32, p0: i32, p1: i32, cols: i32, scratch: usize): void {
  const sz = <usize>sizeof<T>();
  const f32 = sz == 4;
  const acc = scratch, d = scratch + (PANEL << 3);
  memory.fill(acc, 0, <usize>cols * sz);
  if (f32) memory.fill(d, 0, <usize>cols << 3);
  const s = <usize>s0 * sz;
  let i = p0 / n0, k = p0 % n0, left = p1 - p0, count = 0;
  while (left > 0) {
    // Positions up to the end of the run of n0, of the range, of the float32 block.
    const g = min(min(n0 - k, left), f32 ? BLOCK_ROWS - count : left);
    const p = x + (<usize>i * <usize>s1 + <usize>k * <usize>s0) * sz;
    let r = 0;
    for (; r + PASS <= g; r += PASS) addRows<T>(p + <usize>r * s, s, PASS, acc, cols);
    for (; r < g; r++) addRows<T>(p + <usize>r * s, s, 1, acc, cols);
    left -= g;
    if ((k += g) == n0) {
      i++;
      k = 0;
    }
    if (f32 && (count += g) == BLOCK_ROWS) {
      flushF32(acc, d, cols);
      count = 0;
    }
  }
  if (f32 && count > 0) flushF32(acc, d, cols); // (a closed block left zeros: d + 0 is d)
}

/** Where panel<T> leaves its float64 sums. */
// @ts-ignore: decorator
@inline function sumsAt<T>(scratch: usize): usize {
  return sizeof<T>() == 4 ? scratch + (PANEL << 3) : scratch;
}

// @ts-ignore: decorator
@inline function sumCols<T>(x: usize, o0: i32, o1: i32, xo: i32, n1: i32, s1: i32, n0: i32, s0: i32, m: i32, j0: i32, j1: i32, out: usize, div: f64, scratch: usize): void {
  const sz = <usize>sizeof<T>();
  const d = sumsAt<T>(scratch);
  for (let o = o0; o < o1; o++) {
    const xb = x + <usize>o * <usize>xo * sz, ob = out + <usize>o * <usize>m * sz;
    for (let j = j0; j < j1; j += PANEL) {
      const cols = min(PANEL, j1 - j);
      panel<T>(xb + <usize>j * sz, s1, n0, s0, 0, n1 * n0, cols, scratch);
      for (let c = 0; c < cols; c++) store<T>(ob + <usize>(j + c) * sz, <T>(load<f64>(d + (<usize>c << 3)) / div));
    }
  }
}

/**
 * Column reductions: out[o*m + j] = (sum over i < n1, k < n0 of x[o*xo + i*s1 + k*s0 + j]) / div
 * for o in [o0, o1) and j in [j0, j1), the kept columns j contiguous in x and out (element
 * strides); scratch: 2 * PANEL float64 of the calling thread's own.
 */
export function sumColsF32(x: usize, o0: i32, o1: i32, xo: i32, n1: i32, s1: i32, n0: i32, s0: i32, m: i32, j0: i32, j1: i32, out: usize, div: f64, scratch: usize): void {
  sumCols<f32>(x, o0, o1, xo, n1, s1, n0, s0, m, j0, j1, out, div, scratch);
}
export function sumColsF64(x: usize, o0: i32, o1: i32, xo: i32, n1: i32, s1: i32, n0: i32, s0: i32, m: i32, j0: i32, j1: i32, out: usize, div: f64, scratch: usize): void {
  sumCols<f64>(x, o0, o1, xo, n1, s1, n0, s0, m, j0, j1, out, div, scratch);
}

// Many positions over few columns (one outer position, m <= PANEL): fixed chunks of `rows`
// positions (a multiple of BLOCK_ROWS, chosen from the shape only) each summed as above into
// float64 partials, the unit threads split; the partials are then added in chunk order.

// @ts-ignore: decorator
@inline function sumColChunks<T>(x: usize, n1: i32, s1: i32, n0: i32, s0: i32, m: i32, rows: i32, c0: i32, c1: i32, partials: usize, scratch: usize): void {
  const d = sumsAt<T>(scratch);
  const count = n1 * n0;
  for (let c = c0; c < c1; c++) {
    const p0 = c * rows;
    panel<T>(x, s1, n0, s0, p0, min(count, p0 + rows), m, scratch);
    memory.copy(partials + (<usize>c * <usize>m << 3), d, <usize>m << 3);
  }
}

/** The float64 column sums of chunks [c0, c1) (of `rows` positions) into partials[c * m + j]; m <= PANEL. */
export function sumColChunksF32(x: usize, n1: i32, s1: i32, n0: i32, s0: i32, m: i32, rows: i32, c0: i32, c1: i32, partials: usize, scratch: usize): void {
  sumColChunks<f32>(x, n1, s1, n0, s0, m, rows, c0, c1, partials, scratch);
}
export function sumColChunksF64(x: usize, n1: i32, s1: i32, n0: i32, s0: i32, m: i32, rows: i32, c0: i32, c1: i32, partials: usize, scratch: usize): void {
  sumColChunks<f64>(x, n1, s1, n0, s0, m, rows, c0, c1, partials, scratch);
}

// @ts-ignore: decorator
@inline function addPartials<T>(partials: usize, chunks: i32, m: i32, out: usize, div: f64): void {
  for (let j = 0; j < m; j++) {
    let q = partials + (<usize>j << 3);
    let acc = load<f64>(q);
    for (let c = 1; c < chunks; c++) acc += load<f64>(q += <usize>m << 3);
    store<T>(out + <usize>j * sizeof<T>(), <T>(acc / div));
  }
}

/** out[j] = (the chunks' partials of column j added in chunk order) / div, rounded once. */
export function sumColPartialsF32(partials: usize, chunks: i32, m: i32, out: usize, div: f64): void {
  addPartials<f32>(partials, chunks, m, out, div);
}
export function sumColPartialsF64(partials: usize, chunks: i32, m: i32, out: usize, div: f64): void {
  addPartials<f64>(partials, chunks, m, out, div);
}
