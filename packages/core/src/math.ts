/**
 * Scalar special functions that JavaScript's Math lacks, accurate to float64 precision:
 * erf/erfc (the rational approximations of Sun's fdlibm, |error| < 1 ulp), erfinv (Giles'
 * approximation refined by Newton steps on erf/erfc), round-half-to-even, and rounding to a
 * float dtype's precision. Elementwise ops use these as their scalar math.
 */
import type { DType } from './dtype.js';
import { bfloat16ToFloat, floatToBfloat16, floatToHalf, halfToFloat } from './dtypeio.js';

// erf(1) rounded to 24 bits: erf on [0.84375, 1.25] is this plus a small rational correction.
const ERX = 8.45062911510467529297e-1;
// 2/sqrt(pi) - 1: erf(x) ~ x + EFX*x for tiny x.
const EFX = 1.28379167095512586316e-1;
const TWO_OVER_SQRT_PI = 1.1283791670955126;

// erf(x) = x + x*P(x^2)/Q(x^2) on [0, 0.84375].
const PP0 = 1.28379167095512558561e-1, PP1 = -3.25042107247001499370e-1, PP2 = -2.84817495755985104766e-2,
  PP3 = -5.77027029648944159157e-3, PP4 = -2.37630166566501626084e-5;
const QQ1 = 3.97917223959155352819e-1, QQ2 = 6.50222499887672944485e-2, QQ3 = 5.08130628187576562776e-3,
  QQ4 = 1.32494738004321644526e-4, QQ5 = -3.96022827877536812320e-6;
// erf(1+s) - ERX = P(s)/Q(s) on [0.84375, 1.25].
const PA0 = -2.36211856075265944077e-3, PA1 = 4.14856118683748331666e-1, PA2 = -3.72207876035701323847e-1,
  PA3 = 3.18346619901161753674e-1, PA4 = -1.10894694282396677476e-1, PA5 = 3.54783043256182359371e-2,
  PA6 = -2.16637559486879084300e-3;
const QA1 = 1.06420880400844228286e-1, QA2 = 5.40397917702171048937e-1, QA3 = 7.18286544141962662868e-2,
  QA4 = 1.26171219808761642112e-1, QA5 = 1.36370839120290507362e-2, QA6 = 1.19844998467991074170e-2;
// erfc(x) = exp(-x^2 - 0.5625 + R(1/x^2)/S(1/x^2)) / x on [1.25, 1/0.35].
const RA0 = -9.86494403484714822705e-3, RA1 = -6.93858572707181764372e-1, RA2 = -1.05586262253232909814e1,
  RA3 = -6.23753324503260060396e1, RA4 = -1.62396669462573470355e2, RA5 = -1.84605092906711035994e2,
  RA6 = -8.12874355063065934246e1, RA7 = -9.81432934416914548592;
const SA1 = 1.96512716674392571292e1, SA2 = 1.37657754143519042600e2, SA3 = 4.34565877475229228821e2,
  SA4 = 6.45387271733267880336e2, SA5 = 4.29008140027567833386e2, SA6 = 1.08635005541779435134e2,
  SA7 = 6.57024977031928170135, SA8 = -6.04244152148580987438e-2;
// The same on [1/0.35, 28].
const RB0 = -9.86494292470009928597e-3, RB1 = -7.99283237680523006574e-1, RB2 = -1.77579549177547519889e1,
  RB3 = -1.60636384855821916062e2, RB4 = -6.37566443368389627722e2, RB5 = -1.02509513161107724954e3,
  RB6 = -4.83519191608651397019e2;
const SB1 = 3.03380607434824582924e1, SB2 = 3.25792512996573918826e2, SB3 = 1.53672958608443695994e3,
  SB4 = 3.19985821950859553908e3, SB5 = 2.55305040643316442583e3, SB6 = 4.74528541206955367215e2,
  SB7 = -2.24409524465858183362e1;

/** x*R(x^2)/S(x^2) for |x| < 0.84375: erf(x) = x + this. */
function erfSmall(x: number): number {
  const z = x * x;
  const r = PP0 + z * (PP1 + z * (PP2 + z * (PP3 + z * PP4)));
  const s = 1 + z * (QQ1 + z * (QQ2 + z * (QQ3 + z * (QQ4 + z * QQ5))));
  return x * (r / s);
}

/** erf(1 + s) - ERX for s = |x| - 1 in [-0.15625, 0.25). */
function erfNearOne(s: number): number {
  const p = PA0 + s * (PA1 + s * (PA2 + s * (PA3 + s * (PA4 + s * (PA5 + s * PA6)))));
  const q = 1 + s * (QA1 + s * (QA2 + s * (QA3 + s * (QA4 + s * (QA5 + s * QA6)))));
  return p / q;
}

/** erfc(ax) for 1.25 <= ax < 28. */
function erfcTail(ax: number): number {
  const s = 1 / (ax * ax);
  let r: number, q: number;
  if (ax < 1 / 0.35) {
    r = RA0 + s * (RA1 + s * (RA2 + s * (RA3 + s * (RA4 + s * (RA5 + s * (RA6 + s * RA7))))));
    q = 1 + s * (SA1 + s * (SA2 + s * (SA3 + s * (SA4 + s * (SA5 + s * (SA6 + s * (SA7 + s * SA8)))))));
  } else {
    r = RB0 + s * (RB1 + s * (RB2 + s * (RB3 + s * (RB4 + s * (RB5 + s * RB6)))));
    q = 1 + s * (SB1 + s * (SB2 + s * (SB3 + s * (SB4 + s * (SB5 + s * (SB6 + s * SB7))))));
  }
  // exp(-ax^2) with ax^2 split exactly: z has 24 significant bits, so z*z is exact in float64.
  const z = Math.fround(ax);
  return (Math.exp(-z * z - 0.5625) * Math.exp((z - ax) * (z + ax) + r / q)) / ax;
}

/** The error function. */
export function erf(x: number): number {
  if (x !== x) return x;
  const ax = Math.abs(x);
  if (ax < 0.84375) return ax < 3.725290298461914e-9 ? x + EFX * x : x + erfSmall(x);
  if (ax < 1.25) return x > 0 ? ERX + erfNearOne(ax - 1) : -ERX - erfNearOne(ax - 1);
  if (ax >= 6) return x > 0 ? 1 : -1;
  const r = erfcTail(ax);
  return x > 0 ? 1 - r : r - 1;
}

/** The complementary error function 1 - erf(x), without cancellation for large x. */
export function erfc(x: number): number {
  if (x !== x) return x;
  const ax = Math.abs(x);
  if (ax < 0.84375) {
    if (ax < 1.3877787807814457e-17) return 1 - x;
    const y = erfSmall(x);
    return x < 0.25 ? 1 - (x + y) : 0.5 - (y + (x - 0.5));
  }
  if (ax < 1.25) return x > 0 ? 1 - ERX - erfNearOne(ax - 1) : 1 + (ERX + erfNearOne(ax - 1));
  if (ax < 28) {
    if (x < -6) return 2;
    const r = erfcTail(ax);
    return x > 0 ? r : 2 - r;
  }
  return x > 0 ? 0 : 2;
}

/**
 * The inverse error function: Giles' single-precision approximation ("Approximating the erfinv
 * function", GPU Computing Gems, 2010), refined to float64 precision by Newton steps: on erf for
 * |y| <= 0.5, and on log(erfc) beyond, where 1 - |y| is exact and log(erfc(x)) is nearly
 * quadratic, so the steps converge fast even from the far tails (|y| up to 1 - 2^-53).
 */
export function erfinv(y: number): number {
  if (!(y >= -1 && y <= 1)) return NaN;
  if (y === 1) return Infinity;
  if (y === -1) return -Infinity;
  if (y === 0) return y;
  const ay = Math.abs(y);
  let w = -Math.log((1 - ay) * (1 + ay));
  let p: number;
  if (w < 5) {
    w -= 2.5;
    p = 2.81022636e-8;
    p = 3.43273939e-7 + p * w;
    p = -3.5233877e-6 + p * w;
    p = -4.39150654e-6 + p * w;
    p = 0.00021858087 + p * w;
    p = -0.00125372503 + p * w;
    p = -0.00417768164 + p * w;
    p = 0.246640727 + p * w;
    p = 1.50140941 + p * w;
  } else {
    w = Math.sqrt(w) - 3;
    p = -0.000200214257;
    p = 0.000100950558 + p * w;
    p = 0.00134934322 + p * w;
    p = -0.00367342844 + p * w;
    p = 0.00573950773 + p * w;
    p = -0.0076224613 + p * w;
    p = 0.00943887047 + p * w;
    p = 1.00167406 + p * w;
    p = 2.83297682 + p * w;
  }
  let x = p * ay;
  if (ay <= 0.5) {
    for (let i = 0; i < 2; i++) x -= (erf(x) - ay) / (TWO_OVER_SQRT_PI * Math.exp(-x * x));
  } else {
    const logTarget = Math.log(1 - ay);
    for (let i = 0; i < 12; i++) {
      const c = erfc(x);
      const dx = ((Math.log(c) - logTarget) * c) / (TWO_OVER_SQRT_PI * Math.exp(-x * x));
      x += dx;
      if (Math.abs(dx) <= 1e-16 * x) break;
    }
  }
  return y < 0 ? -x : x;
}

/** C's nearbyint in the default rounding mode: to nearest, ties to even (-0.5 -> -0). */
export function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return r - x === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

const identity = (x: number): number => x;
const toHalf = (x: number): number => halfToFloat(floatToHalf(x));
const toBfloat16 = (x: number): number => bfloat16ToFloat(floatToBfloat16(x));

/**
 * Rounds a float64 to the precision of a float dtype (identity for float64 and integers), for
 * scalar math that must round intermediate results the way PyTorch's kernels in that dtype do.
 */
export function rounderFor(dtype: DType): (x: number) => number {
  switch (dtype) {
    case 'float32': return Math.fround;
    case 'float16': return toHalf;
    case 'bfloat16': return toBfloat16;
    default: return identity;
  }
}

/** The largest finite value of a float dtype (for integer dtypes: their maximum). */
export function maxFinite(dtype: DType): number {
  switch (dtype) {
    case 'float64': return Number.MAX_VALUE;
    case 'float32': return 3.4028234663852886e38;
    case 'float16': return 65504;
    case 'bfloat16': return 3.3895313892515355e38;
    case 'int64': return 9223372036854775807;
    case 'int32': return 2147483647;
    case 'int16': return 32767;
    case 'int8': return 127;
    case 'uint8': return 255;
    case 'bool': return 1;
  }
}
