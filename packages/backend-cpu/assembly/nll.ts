// nll_loss forward / backward of [n, c] log-probabilities (rows contiguous) with int64 class
// targets read in place (src/wasm/nll.ts routes here). The same float64 arithmetic in the same
// order as the TS kernels (kernels/nn/loss.ts), so results are identical: a target is compared
// with ignoreIndex and the bounds as a double (as TS decodes it), losses are -x[t] * w[t] in
// float64 summed in row order, float32 outputs rounded once on store.

// @ts-ignore: decorator
@inline function targetAt(t: usize, i: i32): f64 {
  return <f64>load<i64>(t + <usize>i * 8);
}

/** 0 when every target is ignoreIndex or in [0, c), else 1 + the first row whose target is not. */
export function nllFirstBadTarget(n: i32, c: i32, t: usize, ignoreIndex: f64): i32 {
  for (let i = 0; i < n; i++) {
    const v = targetAt(t, i);
    if (v != ignoreIndex && (v < 0 || v >= <f64>c)) return i + 1;
  }
  return 0;
}

// @ts-ignore: decorator
@inline function weightOf<T>(w: usize, k: i32): f64 {
  return w ? <f64>load<T>(w + <usize>k * sizeof<T>()) : 1;
}

/**
 * Losses of rows [0, n): reduction 0 ('none') writes each row's loss (0 where ignored) to out and
 * 0 to total; 1 ('mean') and 2 ('sum') write the reduced loss to out[0] and the weight total.
 * w = 0: no class weights. Targets must have been checked (nllFirstBadTarget).
 */
// @ts-ignore: decorator
@inline function forward<T>(n: i32, c: i32, x: usize, t: usize, w: usize, ignoreIndex: f64, reduction: i32, out: usize, total: usize): void {
  const sz = <usize>sizeof<T>();
  let sum: f64 = 0, tw: f64 = 0;
  for (let i = 0; i < n; i++) {
    const v = targetAt(t, i);
    let loss: f64 = 0;
    if (v != ignoreIndex) {
      const k = <i32>v;
      const wt = weightOf<T>(w, k);
      loss = -<f64>load<T>(x + (<usize>i * <usize>c + <usize>k) * sz) * wt;
      tw += wt;
      sum += loss;
    }
    if (reduction == 0) store<T>(out + <usize>i * sz, <T>loss);
  }
  if (reduction == 0) {
    store<T>(total, <T>0);
    return;
  }
  store<T>(out, <T>(reduction == 2 ? sum : sum / tw));
  store<T>(total, <T>tw);
}

/**
 * gradSelf [n, c] (contiguous at o) = 0 except -w[t] * g at each row's target, g = gradOutput[i]
 * ('none'), gradOutput[0] / total ('mean') or gradOutput[0] ('sum'). Targets must have been checked.
 */
// @ts-ignore: decorator
@inline function backward<T>(n: i32, c: i32, o: usize, g: usize, t: usize, w: usize, ignoreIndex: f64, reduction: i32, total: usize): void {
  const sz = <usize>sizeof<T>();
  memory.fill(o, 0, <usize>n * <usize>c * sz);
  // (a 'none' gradient may be empty: read g[0] only for the reductions)
  const scalar: f64 = reduction == 0 ? 0 : reduction == 1 ? <f64>load<T>(g) / <f64>load<T>(total) : <f64>load<T>(g);
  for (let i = 0; i < n; i++) {
    const v = targetAt(t, i);
    if (v == ignoreIndex) continue;
    const k = <i32>v;
    const gi = reduction == 0 ? <f64>load<T>(g + <usize>i * sz) : scalar;
    store<T>(o + (<usize>i * <usize>c + <usize>k) * sz, <T>(-weightOf<T>(w, k) * gi));
  }
}

export function nllForwardF32(n: i32, c: i32, x: usize, t: usize, w: usize, ignoreIndex: f64, reduction: i32, out: usize, total: usize): void {
  forward<f32>(n, c, x, t, w, ignoreIndex, reduction, out, total);
}
export function nllForwardF64(n: i32, c: i32, x: usize, t: usize, w: usize, ignoreIndex: f64, reduction: i32, out: usize, total: usize): void {
  forward<f64>(n, c, x, t, w, ignoreIndex, reduction, out, total);
}
export function nllBackwardF32(n: i32, c: i32, o: usize, g: usize, t: usize, w: usize, ignoreIndex: f64, reduction: i32, total: usize): void {
  backward<f32>(n, c, o, g, t, w, ignoreIndex, reduction, total);
}
export function nllBackwardF64(n: i32, c: i32, o: usize, g: usize, t: usize, w: usize, ignoreIndex: f64, reduction: i32, total: usize): void {
  backward<f64>(n, c, o, g, t, w, ignoreIndex, reduction, total);
}
