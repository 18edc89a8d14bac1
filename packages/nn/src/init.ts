/**
 * `nn.init`: in-place parameter initialisers with PyTorch's fan rules and gains. Every draw goes
 * through torch's RNG (uniform_/normal_/randperm) in PyTorch's order, so a seeded run fills the
 * same values as PyTorch. All run under noGrad and return the tensor.
 */
import * as core from '@torchts/core';
import { Tensor, ValueError } from '@torchts/core';
import { noGrad } from '@torchts/autograd';

export type Nonlinearity =
  | 'linear' | 'conv1d' | 'conv2d' | 'conv3d' | 'conv_transpose1d' | 'conv_transpose2d' | 'conv_transpose3d'
  | 'sigmoid' | 'tanh' | 'relu' | 'leaky_relu' | 'selu';
export type FanMode = 'fan_in' | 'fan_out';

const LINEAR_LIKE = new Set(['linear', 'conv1d', 'conv2d', 'conv3d', 'conv_transpose1d', 'conv_transpose2d', 'conv_transpose3d', 'sigmoid']);

/** The recommended gain for a nonlinearity (`param` is leaky_relu's negative slope, default 0.01). */
export function calculateGain(nonlinearity: Nonlinearity | string, param: number | null = null): number {
  if (LINEAR_LIKE.has(nonlinearity)) return 1;
  if (nonlinearity === 'tanh') return 5 / 3;
  if (nonlinearity === 'relu') return Math.sqrt(2);
  if (nonlinearity === 'leaky_relu') {
    if (param !== null && typeof param !== 'number') throw new ValueError(`negative_slope ${String(param)} not a valid number`);
    const slope = param ?? 0.01;
    return Math.sqrt(2 / (1 + slope * slope));
  }
  if (nonlinearity === 'selu') return 3 / 4;
  throw new ValueError(`Unsupported nonlinearity ${nonlinearity}`);
}

/** [fanIn, fanOut]: dims 1 and 0 times the receptive field (the product of the remaining dims). */
export function calculateFanInAndFanOut(tensor: Tensor): [number, number] {
  if (tensor.ndim < 2) throw new ValueError('Fan in and fan out can not be computed for tensor with fewer than 2 dimensions');
  const receptive = tensor.shape.slice(2).reduce((a, b) => a * b, 1);
  return [tensor.shape[1]! * receptive, tensor.shape[0]! * receptive];
}

function correctFan(tensor: Tensor, mode: string): number {
  if (mode !== 'fan_in' && mode !== 'fan_out') throw new ValueError(`Mode ${mode} not supported, please use one of fan_in, fan_out`);
  const [fanIn, fanOut] = calculateFanInAndFanOut(tensor);
  return mode === 'fan_in' ? fanIn : fanOut;
}

function fill(tensor: Tensor, f: () => void): Tensor {
  noGrad(f);
  return tensor;
}

export function uniform_(tensor: Tensor, a = 0, b = 1): Tensor {
  return fill(tensor, () => tensor.uniform_(a, b));
}

export function normal_(tensor: Tensor, mean = 0, std = 1): Tensor {
  return fill(tensor, () => tensor.normal_(mean, std));
}

export function constant_(tensor: Tensor, val: number): Tensor {
  return fill(tensor, () => tensor.fill_(val));
}

export function zeros_(tensor: Tensor): Tensor {
  return fill(tensor, () => tensor.zero_());
}

export function ones_(tensor: Tensor): Tensor {
  return fill(tensor, () => tensor.fill_(1));
}

/** Writes a flat row-major list of values into `tensor`. */
function writeValues(tensor: Tensor, values: number[]): void {
  const src = core.tensor(values, { dtype: tensor.dtype }).reshape([...tensor.shape]);
  tensor.copy_(src);
  src.dispose();
}

/** The identity matrix (2-D tensors only). */
export function eye_(tensor: Tensor): Tensor {
  if (tensor.ndim !== 2) throw new ValueError('Only tensors with 2 dimensions are supported');
  const [r, c] = tensor.shape as [number, number];
  return fill(tensor, () => writeValues(tensor, Array.from({ length: r * c }, (_, i) => (Math.floor(i / c) === i % c ? 1 : 0))));
}

/** The Dirac delta for 3-, 4- and 5-d conv weights: channel d of each group passes through unchanged. */
export function dirac_(tensor: Tensor, groups = 1): Tensor {
  const nd = tensor.ndim;
  if (nd < 3 || nd > 5) throw new ValueError('Only tensors with 3, 4, or 5 dimensions are supported');
  const shape = tensor.shape;
  if (shape[0]! % groups !== 0) throw new ValueError('dim 0 must be divisible by groups');
  const outPerGroup = shape[0]! / groups;
  const minDim = Math.min(outPerGroup, shape[1]!);
  const strides = shape.map((_, i) => shape.slice(i + 1).reduce((a, b) => a * b, 1));
  const values = new Array<number>(tensor.numel()).fill(0);
  for (let g = 0; g < groups; g++) {
    for (let d = 0; d < minDim; d++) {
      let off = (g * outPerGroup + d) * strides[0]! + d * strides[1]!;
      for (let k = 2; k < nd; k++) off += Math.floor(shape[k]! / 2) * strides[k]!;
      values[off] = 1;
    }
  }
  return fill(tensor, () => writeValues(tensor, values));
}

export function xavierUniform_(tensor: Tensor, gain = 1): Tensor {
  const [fanIn, fanOut] = calculateFanInAndFanOut(tensor);
  const a = Math.sqrt(3) * gain * Math.sqrt(2 / (fanIn + fanOut));
  return uniform_(tensor, -a, a);
}

export function xavierNormal_(tensor: Tensor, gain = 1): Tensor {
  const [fanIn, fanOut] = calculateFanInAndFanOut(tensor);
  return normal_(tensor, 0, gain * Math.sqrt(2 / (fanIn + fanOut)));
}

export interface KaimingOptions {
  a?: number;
  mode?: FanMode;
  nonlinearity?: Nonlinearity;
}

function kaimingStd(tensor: Tensor, opts: KaimingOptions): number {
  const fan = correctFan(tensor, opts.mode ?? 'fan_in');
  return calculateGain(opts.nonlinearity ?? 'leaky_relu', opts.a ?? 0) / Math.sqrt(fan);
}

/** U(-bound, bound) with bound = gain * sqrt(3 / fan); a tensor with a zero dim is left as is (PyTorch warns). */
export function kaimingUniform_(tensor: Tensor, opts: KaimingOptions = {}): Tensor {
  if (tensor.shape.includes(0)) return tensor;
  const bound = Math.sqrt(3) * kaimingStd(tensor, opts);
  return uniform_(tensor, -bound, bound);
}

export function kaimingNormal_(tensor: Tensor, opts: KaimingOptions = {}): Tensor {
  if (tensor.shape.includes(0)) return tensor;
  return normal_(tensor, 0, kaimingStd(tensor, opts));
}

function normCdf(x: number): number {
  const t = core.tensor([x / Math.SQRT2], { dtype: 'float64' });
  const e = core.erf(t);
  const v = e.item<number>();
  t.dispose();
  e.dispose();
  return (1 + v) / 2;
}

/** N(mean, std) truncated to [a, b], by PyTorch's inverse-CDF method (uniform_, erfinv_, clamp). */
export function truncNormal_(tensor: Tensor, mean = 0, std = 1, a = -2, b = 2): Tensor {
  const l = normCdf((a - mean) / std);
  const u = normCdf((b - mean) / std);
  return fill(tensor, () => {
    tensor.uniform_(2 * l - 1, 2 * u - 1);
    tensor.erfinv_();
    tensor.mul_(std * Math.SQRT2);
    tensor.add_(mean);
    tensor.clamp_(a, b);
  });
}

/** Q of a row-major rows x cols matrix (rows >= cols) by modified Gram-Schmidt, with R's diagonal >= 0. */
function orthonormalColumns(m: number[], rows: number, cols: number): number[] {
  const q = m.slice();
  for (let j = 0; j < cols; j++) {
    for (let k = 0; k < j; k++) {
      let dot = 0;
      for (let i = 0; i < rows; i++) dot += q[i * cols + k]! * q[i * cols + j]!;
      for (let i = 0; i < rows; i++) q[i * cols + j]! -= dot * q[i * cols + k]!;
    }
    let norm = 0;
    for (let i = 0; i < rows; i++) norm += q[i * cols + j]! ** 2;
    norm = Math.sqrt(norm);
    for (let i = 0; i < rows; i++) q[i * cols + j] = norm === 0 ? 0 : q[i * cols + j]! / norm;
  }
  return q;
}

/** A (semi-)orthogonal matrix (trailing dims flattened), as PyTorch: QR of a normal draw, signs fixed by R's diagonal. */
export function orthogonal_(tensor: Tensor, gain = 1): Tensor {
  if (tensor.ndim < 2) throw new ValueError('Only tensors with 2 or more dimensions are supported');
  if (tensor.numel() === 0) return tensor;
  const rows = tensor.shape[0]!;
  const cols = tensor.numel() / rows;
  return fill(tensor, () => {
    const draw = core.empty([rows, cols], { dtype: tensor.dtype }).normal_(0, 1);
    const flat = (draw.tolist() as number[][]).flat();
    draw.dispose();
    // Work on the tall orientation (PyTorch transposes a wide draw first).
    const tall = rows < cols ? Array.from({ length: rows * cols }, (_, i) => flat[(i % rows) * cols + Math.floor(i / rows)]!) : flat;
    const [r, c] = rows < cols ? [cols, rows] : [rows, cols];
    const q = orthonormalColumns(tall, r, c);
    const out = rows < cols ? Array.from({ length: rows * cols }, (_, i) => q[(i % cols) * rows + Math.floor(i / cols)]!) : q;
    writeValues(tensor, out.map((v) => v * gain));
  });
}

/** Normal(0, std) with a fraction `sparsity` of each column set to zero (rows chosen by randperm). */
export function sparse_(tensor: Tensor, sparsity: number, std = 0.01): Tensor {
  if (tensor.ndim !== 2) throw new ValueError('Only tensors with 2 dimensions are supported');
  const [rows, cols] = tensor.shape as [number, number];
  const numZeros = Math.ceil(sparsity * rows);
  return fill(tensor, () => {
    tensor.normal_(0, std);
    const values = (tensor.tolist() as number[][]).flat();
    for (let c = 0; c < cols; c++) {
      const perm = core.randperm(rows);
      const idx = (perm.tolist() as number[]).slice(0, numZeros);
      perm.dispose();
      for (const r of idx) values[r * cols + c] = 0;
    }
    writeValues(tensor, values);
  });
}
