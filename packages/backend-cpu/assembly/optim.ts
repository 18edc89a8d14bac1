// Fused optimizer steps (src/kernels/optim/steps.ts is the oracle) over contiguous float32/float64
// tensors of n elements, bit-identical to the TS kernel's double-then-round arithmetic; no fused
// multiply-add, even in the relaxed build. float32 runs four lanes at a time (the *QuadsF32
// loops); the rest, and float64, two elements per iteration in f64x2 lanes: float32 values are
// promoted, and every value the composite update rounds to float32 is demoted and promoted back
// at that point (rnd). A trailing odd element reuses the body with single-element loads/stores.

const MAXIMIZE = 1;
// sgd flags
const MOMENTUM = 2;
const FIRST_STEP = 4;
const NESTEROV = 8;
// adam flags
const AMSGRAD = 2;
const DECOUPLED = 4;

// @ts-ignore: decorator
@inline function ld<T>(p: usize, one: bool): v128 {
  if (sizeof<T>() == 4) return f64x2.promote_low_f32x4(one ? v128.load32_zero(p) : v128.load64_zero(p));
  return one ? v128.load64_zero(p) : v128.load(p);
}

// @ts-ignore: decorator
@inline function st<T>(p: usize, v: v128, one: bool): void {
  if (sizeof<T>() == 4) {
    const d = f32x4.demote_f64x2_zero(v);
    if (one) v128.store32_lane(p, d, 0);
    else v128.store64_lane(p, d, 0);
  } else if (one) {
    v128.store64_lane(p, v, 0);
  } else {
    v128.store(p, v);
  }
}

// @ts-ignore: decorator
@inline function rnd<T>(v: v128): v128 {
  if (sizeof<T>() == 4) return f64x2.promote_low_f32x4(f32x4.demote_f64x2_zero(v));
  return v;
}

// float32, four lanes: f32x4 wherever one f32 operation rounds exactly as the TS kernel's double
// arithmetic then fround does (products, sums, quotients and square roots of two float32 values),
// f64 halves for a multiply-add rounded once (add_ with alpha, addcmul_'s last step: the float32
// product is exact in float64, as PyTorch's fused multiply-add).

// @ts-ignore: decorator
@inline function lo(x: v128): v128 {
  return f64x2.promote_low_f32x4(x);
}

// @ts-ignore: decorator
@inline function hi(x: v128): v128 {
  return f64x2.promote_low_f32x4(v128.shuffle<i32>(x, x, 2, 3, 0, 1));
}

// @ts-ignore: decorator
@inline function join(l: v128, h: v128): v128 {
  return v128.shuffle<i64>(f32x4.demote_f64x2_zero(l), f32x4.demote_f64x2_zero(h), 0, 2);
}

/** fround(a + s * b) per lane (s a double). */
// @ts-ignore: decorator
@inline function axpy(a: v128, s: v128, b: v128): v128 {
  return join(f64x2.add(lo(a), f64x2.mul(s, lo(b))), f64x2.add(hi(a), f64x2.mul(s, hi(b))));
}

/** fround(c + a * b) per lane, one rounding (a, b float32: the product is exact in float64). */
// @ts-ignore: decorator
@inline function fma32(c: v128, a: v128, b: v128): v128 {
  return join(f64x2.add(lo(c), f64x2.mul(lo(a), lo(b))), f64x2.add(hi(c), f64x2.mul(hi(a), hi(b))));
}

/** Four float32 SGD updates; returns the index after the last quad. */
// @ts-ignore: decorator
@inline function sgdQuadsF32(n: i32, p: usize, g: usize, b: usize, negLr: f64, wd: f64, mom: f64, momAlpha: f64, keep: f64, flags: i32): i32 {
  const vLr = f64x2.splat(negLr), vWd = f64x2.splat(wd), vMom = f32x4.splat(<f32>mom), vMomA = f64x2.splat(momAlpha), vKeep = f64x2.splat(keep);
  const decay = wd != 0, keepAll = keep == 1;
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i * 4;
    const P = v128.load(p + o);
    let d = v128.load(g + o);
    if (flags & MAXIMIZE) d = f32x4.neg(d);
    if (decay) d = axpy(d, vWd, P);
    if (flags & MOMENTUM) {
      let B = d;
      if (!(flags & FIRST_STEP)) {
        const scaled = f32x4.mul(v128.load(b + o), vMom);
        B = keepAll ? f32x4.add(scaled, d) : axpy(scaled, vKeep, d);
      }
      v128.store(b + o, B);
      d = flags & NESTEROV ? axpy(d, vMomA, B) : B;
    }
    v128.store(p + o, axpy(P, vLr, d));
  }
  return i;
}

/** Four float32 Adam updates; returns the index after the last quad. */
// @ts-ignore: decorator
@inline function adamQuadsF32(
  n: i32, p: usize, g: usize, m: usize, v: usize, x: usize, decay: f64, wd: f64, beta1: f64, omb1: f64, beta2: f64, omb2: f64,
  bc2Sqrt: f64, eps: f64, negStep: f64, flags: i32,
): i32 {
  const vDecay = f32x4.splat(<f32>decay), vWd = f64x2.splat(wd), vB1 = f32x4.splat(<f32>beta1), vO1 = f64x2.splat(omb1);
  const vB2 = f32x4.splat(<f32>beta2), vO2 = f32x4.splat(<f32>omb2), vBc = f32x4.splat(<f32>bc2Sqrt), vEps = f32x4.splat(<f32>eps);
  const vStep = f32x4.splat(<f32>negStep);
  const l2 = wd != 0;
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i * 4;
    let P = v128.load(p + o);
    let G = v128.load(g + o);
    if (flags & MAXIMIZE) G = f32x4.neg(G);
    if (flags & DECOUPLED) P = f32x4.mul(P, vDecay);
    else if (l2) G = axpy(G, vWd, P);
    const M = axpy(f32x4.mul(v128.load(m + o), vB1), vO1, G);
    // addcmul_(grad, grad, value): fma(value * grad, grad, v * beta2).
    const V = fma32(f32x4.mul(v128.load(v + o), vB2), f32x4.mul(vO2, G), G);
    v128.store(m + o, M);
    v128.store(v + o, V);
    let second = V;
    if (flags & AMSGRAD) {
      second = f32x4.max(v128.load(x + o), V);
      v128.store(x + o, second);
    }
    const denom = f32x4.add(f32x4.div(f32x4.sqrt(second), vBc), vEps);
    // addcdiv_(m, denom, value): every step rounds.
    v128.store(p + o, f32x4.add(P, f32x4.div(f32x4.mul(vStep, M), denom)));
  }
  return i;
}

// @ts-ignore: decorator
@inline function sgdAt<T>(
  p: usize, g: usize, b: usize, negLr: v128, wd: v128, mom: v128, momAlpha: v128, keep: v128, decay: bool, flags: i32, one: bool,
): void {
  const P = ld<T>(p, one);
  let d = ld<T>(g, one);
  if (flags & MAXIMIZE) d = f64x2.neg(d);
  if (decay) d = rnd<T>(f64x2.add(d, f64x2.mul(wd, P)));
  if (flags & MOMENTUM) {
    const B = flags & FIRST_STEP ? d : rnd<T>(f64x2.add(rnd<T>(f64x2.mul(ld<T>(b, one), mom)), f64x2.mul(keep, d)));
    st<T>(b, B, one);
    d = flags & NESTEROV ? rnd<T>(f64x2.add(d, f64x2.mul(momAlpha, B))) : B;
  }
  st<T>(p, f64x2.add(P, f64x2.mul(negLr, d)), one);
}

// @ts-ignore: decorator
@inline function sgd<T>(n: i32, p: usize, g: usize, b: usize, negLr: f64, wd: f64, mom: f64, momAlpha: f64, keep: f64, flags: i32): void {
  const vLr = f64x2.splat(negLr), vWd = f64x2.splat(wd), vMom = f64x2.splat(mom), vMomA = f64x2.splat(momAlpha), vKeep = f64x2.splat(keep);
  const decay = wd != 0;
  const sz = <usize>sizeof<T>();
  let i = sizeof<T>() == 4 ? sgdQuadsF32(n, p, g, b, negLr, wd, mom, momAlpha, keep, flags) : 0;
  for (; i + 2 <= n; i += 2) {
    const o = <usize>i * sz;
    sgdAt<T>(p + o, g + o, b + o, vLr, vWd, vMom, vMomA, vKeep, decay, flags, false);
  }
  if (i < n) {
    const o = <usize>i * sz;
    sgdAt<T>(p + o, g + o, b + o, vLr, vWd, vMom, vMomA, vKeep, decay, flags, true);
  }
}

export function sgdStepF32(n: i32, p: usize, g: usize, b: usize, negLr: f64, wd: f64, mom: f64, momAlpha: f64, keep: f64, flags: i32): void {
  sgd<f32>(n, p, g, b, negLr, wd, mom, momAlpha, keep, flags);
}

export function sgdStepF64(n: i32, p: usize, g: usize, b: usize, negLr: f64, wd: f64, mom: f64, momAlpha: f64, keep: f64, flags: i32): void {
  sgd<f64>(n, p, g, b, negLr, wd, mom, momAlpha, keep, flags);
}

// @ts-ignore: decorator
@inline function adamAt<T>(
  p: usize, g: usize, m: usize, v: usize, x: usize, decay: v128, wd: v128, beta1: v128, omb1: v128, beta2: v128, omb2: v128,
  bc2Sqrt: v128, eps: v128, negStep: v128, l2: bool, flags: i32, one: bool,
): void {
  let P = ld<T>(p, one);
  let G = ld<T>(g, one);
  if (flags & MAXIMIZE) G = f64x2.neg(G);
  if (flags & DECOUPLED) P = rnd<T>(f64x2.mul(P, decay));
  else if (l2) G = rnd<T>(f64x2.add(G, f64x2.mul(wd, P)));
  const M = rnd<T>(f64x2.add(rnd<T>(f64x2.mul(ld<T>(m, one), beta1)), f64x2.mul(omb1, G)));
  const V = rnd<T>(f64x2.add(rnd<T>(f64x2.mul(ld<T>(v, one), beta2)), f64x2.mul(rnd<T>(f64x2.mul(omb2, G)), G)));
  st<T>(m, M, one);
  st<T>(v, V, one);
  let second = V;
  if (flags & AMSGRAD) {
    second = f64x2.max(ld<T>(x, one), V);
    st<T>(x, second, one);
  }
  const denom = rnd<T>(f64x2.add(rnd<T>(f64x2.div(rnd<T>(f64x2.sqrt(second)), bc2Sqrt)), eps));
  st<T>(p, f64x2.add(P, rnd<T>(f64x2.div(rnd<T>(f64x2.mul(negStep, M)), denom))), one);
}

// @ts-ignore: decorator
@inline function adam<T>(
  n: i32, p: usize, g: usize, m: usize, v: usize, x: usize, decay: f64, wd: f64, beta1: f64, omb1: f64, beta2: f64, omb2: f64,
  bc2Sqrt: f64, eps: f64, negStep: f64, flags: i32,
): void {
  const vDecay = f64x2.splat(decay), vWd = f64x2.splat(wd), vB1 = f64x2.splat(beta1), vO1 = f64x2.splat(omb1);
  const vB2 = f64x2.splat(beta2), vO2 = f64x2.splat(omb2), vBc = f64x2.splat(bc2Sqrt), vEps = f64x2.splat(eps), vStep = f64x2.splat(negStep);
  const l2 = wd != 0;
  const sz = <usize>sizeof<T>();
  let i = sizeof<T>() == 4 ? adamQuadsF32(n, p, g, m, v, x, decay, wd, beta1, omb1, beta2, omb2, bc2Sqrt, eps, negStep, flags) : 0;
  for (; i + 2 <= n; i += 2) {
    const o = <usize>i * sz;
    adamAt<T>(p + o, g + o, m + o, v + o, x + o, vDecay, vWd, vB1, vO1, vB2, vO2, vBc, vEps, vStep, l2, flags, false);
  }
  if (i < n) {
    const o = <usize>i * sz;
    adamAt<T>(p + o, g + o, m + o, v + o, x + o, vDecay, vWd, vB1, vO1, vB2, vO2, vBc, vEps, vStep, l2, flags, true);
  }
}

export function adamStepF32(
  n: i32, p: usize, g: usize, m: usize, v: usize, x: usize, decay: f64, wd: f64, beta1: f64, omb1: f64, beta2: f64, omb2: f64,
  bc2Sqrt: f64, eps: f64, negStep: f64, flags: i32,
): void {
  adam<f32>(n, p, g, m, v, x, decay, wd, beta1, omb1, beta2, omb2, bc2Sqrt, eps, negStep, flags);
}

export function adamStepF64(
  n: i32, p: usize, g: usize, m: usize, v: usize, x: usize, decay: f64, wd: f64, beta1: f64, omb1: f64, beta2: f64, omb2: f64,
  bc2Sqrt: f64, eps: f64, negStep: f64, flags: i32,
): void {
  adam<f64>(n, p, g, m, v, x, decay, wd, beta1, omb1, beta2, omb2, bc2Sqrt, eps, negStep, flags);
}
