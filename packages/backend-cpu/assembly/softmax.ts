// softmax / log_softmax over contiguous float32 rows, numerically stable as the TS kernel:
// d = x - max in float64 (exact for the values that matter), exp(d), sum in float64, then
// softmax = exp(d) / sum and log_softmax = d - log(sum), each rounded once to float32.
//
// exp(d) (d <= 0) is a float32 Cephes-style evaluation after a float64 range reduction:
// n = round(d / ln 2), r = d - n ln 2 (|r| <= ln 2 / 2, then rounded to float32), e^r by a
// degree-7 polynomial, times 2^n applied in two halves so that subnormal results round once.
// Max error about 1.5 ulp of float32 (the TS kernel's double-precision result is the oracle).

const LOG2E: f64 = 1.4426950408889634;
const LN2: f64 = 0.6931471805599453;

/** exp of four float64 differences (two f64x2), as float32x4; d is clamped at -104 (e^-104 rounds to 0). */
// @ts-ignore: decorator
@inline function exp4(d0: v128, d1: v128): v128 {
  const lo = f64x2.splat(-104);
  d0 = f64x2.max(d0, lo);
  d1 = f64x2.max(d1, lo);
  const n0 = f64x2.nearest(f64x2.mul(d0, f64x2.splat(LOG2E)));
  const n1 = f64x2.nearest(f64x2.mul(d1, f64x2.splat(LOG2E)));
  const r0 = f64x2.sub(d0, f64x2.mul(n0, f64x2.splat(LN2)));
  const r1 = f64x2.sub(d1, f64x2.mul(n1, f64x2.splat(LN2)));
  const r = i32x4.shuffle(f32x4.demote_f64x2_zero(r0), f32x4.demote_f64x2_zero(r1), 0, 1, 4, 5);
  const n = i32x4.shuffle(i32x4.trunc_sat_f64x2_s_zero(n0), i32x4.trunc_sat_f64x2_s_zero(n1), 0, 1, 4, 5);
  let p = f32x4.splat(1.9875691500e-4);
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(1.3981999507e-3));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(8.3334519073e-3));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(4.1665795894e-2));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(1.6666665459e-1));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(5.0000001201e-1));
  p = f32x4.add(f32x4.mul(f32x4.mul(p, r), r), f32x4.add(r, f32x4.splat(1)));
  // 2^n = 2^a * 2^b with a = n >> 1, b = n - a: both >= -75, so each factor is a normal float.
  const a = i32x4.shr_s(n, 1);
  const b = i32x4.sub(n, a);
  const sa = i32x4.shl(i32x4.add(a, i32x4.splat(127)), 23);
  const sb = i32x4.shl(i32x4.add(b, i32x4.splat(127)), 23);
  return f32x4.mul(f32x4.mul(p, sa), sb);
}

/**
 * Natural log of a row sum (>= 1: the max element contributes e^0 = 1; NaN and +inf pass
 * through), fdlibm's table-free algorithm (< 1 ulp): AS's Math.log would bring a lookup table,
 * i.e. a data segment, which these kernels must not have.
 */
function logSum(x: f64): f64 {
  if (!(x < Infinity)) return x;
  const bits = reinterpret<u64>(x);
  let k = <i32>(bits >> 52) - 1023;
  let f = reinterpret<f64>((bits & 0x000FFFFFFFFFFFFF) | 0x3FF0000000000000);
  if (f > 1.4142135623730951) {
    f *= 0.5;
    k++;
  }
  f -= 1;
  const s = f / (2 + f), z = s * s, w = z * z;
  const t1 = w * (3.999999999940941908e-01 + w * (2.222219843214978396e-01 + w * 1.531383769920937332e-01));
  const t2 = z * (6.666666666666735130e-01 + w * (2.857142874366239149e-01 + w * (1.818357216161805012e-01 + w * 1.479819860511658591e-01)));
  const hfsq = 0.5 * f * f;
  const dk = <f64>k;
  return dk * 6.93147180369123816490e-01 - ((hfsq - (s * (hfsq + t2 + t1) + dk * 1.90821492927058770002e-10)) - f);
}

/** The two float64 halves of x - m. */
// @ts-ignore: decorator
@inline function diffLo(x: v128, m: v128): v128 {
  return f64x2.sub(f64x2.promote_low_f32x4(x), m);
}
// @ts-ignore: decorator
@inline function diffHi(x: v128, m: v128): v128 {
  return f64x2.sub(f64x2.promote_low_f32x4(i32x4.shuffle(x, x, 2, 3, 0, 1)), m);
}

/** Scalar exp for the tails: the same evaluation on lane 0. */
// @ts-ignore: decorator
@inline function exp1(d: f64): f32 {
  return f32x4.extract_lane(exp4(f64x2.splat(d), f64x2.splat(d)), 0);
}

function rowMax(x: usize, len: i32): f32 {
  let i = 0;
  let v = f32x4.splat(-Infinity);
  for (; i + 4 <= len; i += 4) v = f32x4.max(v, v128.load(x + (<usize>i << 2)));
  let m = max(max(f32x4.extract_lane(v, 0), f32x4.extract_lane(v, 1)), max(f32x4.extract_lane(v, 2), f32x4.extract_lane(v, 3)));
  for (; i < len; i++) m = max(m, load<f32>(x + (<usize>i << 2)));
  return m;
}

export function softmaxRowsF32(x: usize, o: usize, rows: i32, len: i32, log: i32): void {
  for (let row = 0; row < rows; row++) {
    const m = <f64>rowMax(x, len);
    const mv = f64x2.splat(m);
    let s = f64x2.splat(0);
    let i = 0;
    for (; i + 4 <= len; i += 4) {
      const xv = v128.load(x + (<usize>i << 2));
      const e = exp4(diffLo(xv, mv), diffHi(xv, mv));
      if (!log) v128.store(o + (<usize>i << 2), e);
      s = f64x2.add(s, f64x2.add(f64x2.promote_low_f32x4(e), f64x2.promote_low_f32x4(i32x4.shuffle(e, e, 2, 3, 0, 1))));
    }
    let sum = f64x2.extract_lane(s, 0) + f64x2.extract_lane(s, 1);
    for (; i < len; i++) {
      const e = exp1(<f64>load<f32>(x + (<usize>i << 2)) - m);
      if (!log) store<f32>(o + (<usize>i << 2), e);
      sum += <f64>e;
    }
    if (log) {
      const shift = f64x2.splat(m + logSum(sum));
      i = 0;
      for (; i + 4 <= len; i += 4) {
        const xv = v128.load(x + (<usize>i << 2));
        const r = i32x4.shuffle(f32x4.demote_f64x2_zero(diffLo(xv, shift)), f32x4.demote_f64x2_zero(diffHi(xv, shift)), 0, 1, 4, 5);
        v128.store(o + (<usize>i << 2), r);
      }
      const sh = m + logSum(sum);
      for (; i < len; i++) store<f32>(o + (<usize>i << 2), <f32>(<f64>load<f32>(x + (<usize>i << 2)) - sh));
    } else {
      const inv = f64x2.splat(1 / sum);
      i = 0;
      for (; i + 4 <= len; i += 4) {
        const e = v128.load(o + (<usize>i << 2));
        const lo = f64x2.mul(f64x2.promote_low_f32x4(e), inv);
        const hi = f64x2.mul(f64x2.promote_low_f32x4(i32x4.shuffle(e, e, 2, 3, 0, 1)), inv);
        v128.store(o + (<usize>i << 2), i32x4.shuffle(f32x4.demote_f64x2_zero(lo), f32x4.demote_f64x2_zero(hi), 0, 1, 4, 5));
      }
      const invS = 1 / sum;
      for (; i < len; i++) store<f32>(o + (<usize>i << 2), <f32>(<f64>load<f32>(o + (<usize>i << 2)) * invS));
    }
    x += <usize>len << 2;
    o += <usize>len << 2;
  }
}
