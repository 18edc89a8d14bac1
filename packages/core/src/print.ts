/**
 * Printing like PyTorch 1.13 (torch/_tensor_str.py, ported line for line): `String(t)`,
 * template literals and `console.log(t)` all give what `repr(t)` gives in Python, e.g.
 *   tensor([[1., 2.],
 *           [3., 4.]], dtype=torch.float64)
 * Floats use Python's formatting (exact decimal expansion, round-half-even), so digits match.
 * Tensors with more than `threshold` elements are summarised with `...`, reading only the shown
 * elements. `torch.setPrintoptions` takes PyTorch's options (camelCase).
 */
import { getDefaultDtype, isFloatingPoint } from './dtype.js';
import { getElement } from './dtypeio.js';
import { Tensor, hostTensor } from './tensor.js';

export interface PrintOptions {
  precision: number;
  threshold: number;
  edgeitems: number;
  linewidth: number;
  /** true/false forces scientific notation on/off; null lets the formatter choose. */
  sciMode: boolean | null;
}

const PRINT_OPTS: PrintOptions = { precision: 4, threshold: 1000, edgeitems: 3, linewidth: 80, sciMode: null };

/**
 * `torch.set_printoptions`. `profile` ('default' | 'short' | 'full') sets a group first; as in
 * PyTorch, `sciMode` is reset to automatic unless given.
 */
export function setPrintoptions(opts: Partial<PrintOptions> & { profile?: 'default' | 'short' | 'full' } = {}): void {
  if (opts.profile === 'default') Object.assign(PRINT_OPTS, { precision: 4, threshold: 1000, edgeitems: 3, linewidth: 80 });
  else if (opts.profile === 'short') Object.assign(PRINT_OPTS, { precision: 2, threshold: 1000, edgeitems: 2, linewidth: 80 });
  else if (opts.profile === 'full') Object.assign(PRINT_OPTS, { precision: 4, threshold: Infinity, edgeitems: 3, linewidth: 80 });
  else if (opts.profile !== undefined) throw new TypeError(`setPrintoptions(): unknown profile '${String(opts.profile)}'`);
  for (const k of ['precision', 'threshold', 'edgeitems', 'linewidth'] as const) {
    const v = opts[k];
    if (v === undefined || v === null) continue;
    if (typeof v !== 'number' || Number.isNaN(v) || v < 0) throw new TypeError(`setPrintoptions(): ${k} must be a non-negative number, got ${String(v)}`);
    PRINT_OPTS[k] = v;
  }
  PRINT_OPTS.sciMode = opts.sciMode ?? null;
}

export function getPrintoptions(): PrintOptions {
  return { ...PRINT_OPTS };
}

// ---- Python's float formatting ----------------------------------------------------------------

const f64 = new Float64Array(1);
const u32 = new Uint32Array(f64.buffer);

/** |x| = mant * 2^exp exactly (x finite, non-zero). */
function decompose(x: number): { mant: bigint; exp: number } {
  f64[0] = Math.abs(x);
  const hi = u32[1]!;
  const lo = u32[0]!;
  const bits = (hi >>> 20) & 0x7ff;
  const frac = (BigInt(hi & 0xfffff) << 32n) | BigInt(lo);
  return bits === 0 ? { mant: frac, exp: -1074 } : { mant: frac | (1n << 52n), exp: bits - 1075 };
}

/** round-half-even(|x| * 10^k) for finite non-zero x. */
function scaledInteger(x: number, k: number): bigint {
  const { mant, exp } = decompose(x);
  let num = mant;
  let den = 1n;
  if (k >= 0) num *= 10n ** BigInt(k);
  else den *= 10n ** BigInt(-k);
  if (exp >= 0) num <<= BigInt(exp);
  else den <<= BigInt(-exp);
  const q = num / den;
  const r2 = (num % den) * 2n;
  return r2 > den || (r2 === den && (q & 1n) === 1n) ? q + 1n : q;
}

function nonFinite(x: number): string | null {
  if (Number.isNaN(x)) return 'nan';
  if (x === Infinity) return 'inf';
  if (x === -Infinity) return '-inf';
  return null;
}

function signOf(x: number): string {
  return x < 0 || Object.is(x, -0) ? '-' : '';
}

/** Python's `'{:.{p}f}'.format(x)`. */
export function formatFixed(x: number, p: number): string {
  const nf = nonFinite(x);
  if (nf) return nf;
  const digits = x === 0 ? '0' : scaledInteger(x, p).toString();
  const padded = digits.padStart(p + 1, '0');
  const body = p > 0 ? `${padded.slice(0, -p)}.${padded.slice(-p)}` : padded;
  return signOf(x) + body;
}

/** Python's `'{:.{p}e}'.format(x)`. */
export function formatExp(x: number, p: number): string {
  const nf = nonFinite(x);
  if (nf) return nf;
  let e = 0;
  let digits = '0'.repeat(p + 1);
  if (x !== 0) {
    e = Math.floor(Math.log10(Math.abs(x)));
    let n = scaledInteger(x, p - e);
    // log10 can be off by one near powers of ten, and rounding can carry into a new digit.
    if (n >= 10n ** BigInt(p + 1)) n = scaledInteger(x, p - ++e);
    else if (n < 10n ** BigInt(p)) n = scaledInteger(x, p - --e);
    if (n >= 10n ** BigInt(p + 1)) n = scaledInteger(x, p - ++e);
    digits = n.toString();
  }
  const mant = p > 0 ? `${digits[0]}.${digits.slice(1)}` : digits;
  const exp = `${e < 0 ? '-' : '+'}${String(Math.abs(e)).padStart(2, '0')}`;
  return `${signOf(x)}${mant}e${exp}`;
}

// ---- reading the shown elements ---------------------------------------------------------------

type Value = number | bigint | boolean;

interface Source {
  shape: readonly number[];
  strides: readonly number[];
  offset: number;
  get(offset: number): Value;
}

function sourceOf(t: Tensor): { src: Source; release(): void } {
  const h = hostTensor(t);
  const dtype = h._dtype;
  const arr = h._storage.host(dtype);
  let get: (o: number) => Value;
  if (dtype === 'int64') {
    const words = arr as Int32Array;
    get = (o) => BigInt.asIntN(64, (BigInt(words[2 * o + 1]!) << 32n) | BigInt(words[2 * o]! >>> 0));
  } else if (dtype === 'bool') get = (o) => arr[o] !== 0;
  else get = (o) => getElement(arr, dtype, o);
  return {
    src: { shape: h._shape, strides: h._strides, offset: h._offset, get },
    release: () => {
      if (h !== t) h.dispose();
    },
  };
}

/** Indices shown along a dim of `size`: all of them, or the edges when summarising. */
function shownIndices(size: number, summarize: boolean): number[] {
  const e = PRINT_OPTS.edgeitems;
  if (summarize && size > 2 * e) {
    return [...Array(e).keys(), ...Array.from({ length: e }, (_, i) => size - e + i)];
  }
  return [...Array(size).keys()];
}

/** Every shown element (PyTorch's get_summarized_data), in row-major order. */
function shownValues(src: Source, summarize: boolean): Value[] {
  const out: Value[] = [];
  const rec = (d: number, off: number): void => {
    if (d === src.shape.length) {
      out.push(src.get(off));
      return;
    }
    for (const i of shownIndices(src.shape[d]!, summarize)) rec(d + 1, off + i * src.strides[d]!);
  };
  rec(0, src.offset);
  return out;
}

// ---- the formatter (torch._tensor_str._Formatter) ----------------------------------------------

class Formatter {
  intMode = true;
  sciMode = false;
  maxWidth = 1;

  constructor(readonly floating: boolean, values: Value[]) {
    const p = PRINT_OPTS.precision;
    if (!floating) {
      for (const v of values) this.maxWidth = Math.max(this.maxWidth, plainString(v).length);
      return;
    }
    const nz = (values as number[]).filter((v) => Number.isFinite(v) && v !== 0);
    if (nz.length === 0) return;
    let min = Infinity;
    let max = 0;
    for (const v of nz) {
      const a = Math.abs(v);
      if (a < min) min = a;
      if (a > max) max = a;
    }
    this.intMode = nz.every((v) => v === Math.ceil(v));
    if (this.intMode) {
      if (max / min > 1000 || max > 1e8) {
        this.sciMode = true;
        for (const v of nz) this.maxWidth = Math.max(this.maxWidth, formatExp(v, p).length);
      } else {
        for (const v of nz) this.maxWidth = Math.max(this.maxWidth, formatFixed(v, 0).length + 1);
      }
    } else if (max / min > 1000 || max > 1e8 || min < 1e-4) {
      this.sciMode = true;
      for (const v of nz) this.maxWidth = Math.max(this.maxWidth, formatExp(v, p).length);
    } else {
      for (const v of nz) this.maxWidth = Math.max(this.maxWidth, formatFixed(v, p).length);
    }
    if (PRINT_OPTS.sciMode !== null) this.sciMode = PRINT_OPTS.sciMode;
  }

  format(value: Value): string {
    let ret: string;
    if (this.floating) {
      const v = value as number;
      if (this.sciMode) ret = formatExp(v, PRINT_OPTS.precision);
      else if (this.intMode) ret = formatFixed(v, 0) + (Number.isFinite(v) ? '.' : '');
      else ret = formatFixed(v, PRINT_OPTS.precision);
    } else ret = plainString(value);
    return ' '.repeat(Math.max(0, this.maxWidth - ret.length)) + ret;
  }
}

/** Python's `'{}'.format(v)` for ints and bools. */
function plainString(v: Value): string {
  if (typeof v === 'boolean') return v ? 'True' : 'False';
  return String(v);
}

// ---- layout ---------------------------------------------------------------------------------

function vectorStr(src: Source, off: number, d: number, indent: number, summarize: boolean, fmt: Formatter): string {
  const elementLength = fmt.maxWidth + 2;
  const perLine = Math.max(1, Math.floor((PRINT_OPTS.linewidth - indent) / elementLength));
  const size = src.shape[d]!;
  const stride = src.strides[d]!;
  const show = (i: number) => fmt.format(src.get(off + i * stride));
  const e = PRINT_OPTS.edgeitems;
  let data: string[];
  if (summarize && size > 2 * e) {
    data = [...shownIndices(size, true).slice(0, e).map(show), ' ...', ...shownIndices(size, true).slice(e).map(show)];
  } else data = [...Array(size).keys()].map(show);
  const lines: string[] = [];
  for (let i = 0; i < data.length; i += perLine) lines.push(data.slice(i, i + perLine).join(', '));
  return `[${lines.join(`,\n${' '.repeat(indent + 1)}`)}]`;
}

function tensorStrWith(src: Source, off: number, d: number, indent: number, summarize: boolean, fmt: Formatter): string {
  const dim = src.shape.length - d;
  if (dim === 0) return fmt.format(src.get(off));
  if (dim === 1) return vectorStr(src, off, d, indent, summarize, fmt);
  const size = src.shape[d]!;
  const stride = src.strides[d]!;
  const sub = (i: number) => tensorStrWith(src, off + i * stride, d + 1, indent + 1, summarize, fmt);
  const e = PRINT_OPTS.edgeitems;
  let slices: string[];
  if (summarize && size > 2 * e) {
    const idx = shownIndices(size, true);
    slices = [...idx.slice(0, e).map(sub), '...', ...idx.slice(e).map(sub)];
  } else slices = [...Array(size).keys()].map(sub);
  return `[${slices.join(`,${'\n'.repeat(dim - 1)}${' '.repeat(indent + 1)}`)}]`;
}

function tensorStr(t: Tensor, indent: number): string {
  if (t.numel() === 0) return '[]';
  const summarize = t.numel() > PRINT_OPTS.threshold;
  const { src, release } = sourceOf(t);
  try {
    const fmt = new Formatter(isFloatingPoint(t._dtype), shownValues(src, summarize));
    return tensorStrWith(src, src.offset, 0, indent, summarize, fmt);
  } finally {
    release();
  }
}

function addSuffixes(body: string, suffixes: string[], indent: number, forceNewline: boolean): string {
  const parts = [body];
  let lastLineLen = body.length - body.lastIndexOf('\n') + 1;
  for (const suffix of suffixes) {
    if (forceNewline || lastLineLen + suffix.length + 2 > PRINT_OPTS.linewidth) {
      parts.push(`,\n${' '.repeat(indent)}${suffix}`);
      lastLineLen = indent + suffix.length;
      forceNewline = false;
    } else {
      parts.push(`, ${suffix}`);
      lastLineLen += suffix.length + 2;
    }
  }
  parts.push(')');
  return parts.join('');
}

function pyTuple(shape: readonly number[]): string {
  return shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
}

function gradFnName(gradFn: unknown): string {
  const g = gradFn as { name?: unknown; constructor?: { name?: string } };
  if (typeof g.name === 'string') return g.name;
  if (typeof g.name === 'function') return String((g.name as () => unknown).call(g));
  return g.constructor?.name ?? 'Function';
}

/** `repr(tensor)` as PyTorch prints it. */
export function formatTensor(t: Tensor): string {
  if (t.isDisposed) return 'tensor(<disposed>)';
  const prefix = 'tensor(';
  const indent = prefix.length;
  const suffixes: string[] = [];
  if (t.device !== 'cpu') suffixes.push(`device='${t.device === 'cuda' ? 'cuda:0' : t.device}'`);
  const defaultDtype = getDefaultDtype();
  const dtypeSuffix = `dtype=torch.${t._dtype}`;
  let body: string;
  if (t.numel() === 0) {
    if (t._shape.length !== 1) suffixes.push(`size=${pyTuple(t._shape)}`);
    if (t._dtype !== defaultDtype) suffixes.push(dtypeSuffix);
    body = '[]';
  } else {
    if (t._dtype !== defaultDtype && t._dtype !== 'int64' && t._dtype !== 'bool') suffixes.push(dtypeSuffix);
    body = tensorStr(t, indent);
  }
  if (t.gradFn !== null && t.gradFn !== undefined) suffixes.push(`grad_fn=<${gradFnName(t.gradFn)}>`);
  else if (t.requiresGrad) suffixes.push('requires_grad=True');
  return addSuffixes(prefix + body, suffixes, indent, false);
}

declare module './tensor.js' {
  interface Tensor {
    /** PyTorch's repr: `tensor([1., 2.])`. */
    toString(): string;
  }
}

const proto = Tensor.prototype as unknown as Record<string | symbol, unknown>;
proto.toString = function (this: Tensor) {
  return formatTensor(this);
};
proto[Symbol.for('nodejs.util.inspect.custom')] = function (this: Tensor) {
  return formatTensor(this);
};
