/**
 * tensordot (contract chosen dims of two tensors with one mm) and kron (Kronecker product).
 * Both composite, following PyTorch 1.13's definitions step by step so that dtype rules and
 * errors match: tensordot sums size-1 contracted dims away first and never promotes (mm checks
 * the dtypes), kron is a broadcast multiply and promotes.
 */
import { RuntimeError } from '../../errors.js';
import { numelOf, wrapDim, wrapDims } from '../../shape.js';
import { Tensor } from '../../tensor.js';
import { mul } from '../elementwise/arithmetic.js';
import { permuteOp, reshape } from '../view.js';
import { requireTensor, withTemps } from './checks.js';
import { sumDims } from './contract-sum.js';
import { mmOp } from './products.js';

/** `dims`: how many trailing dims of a meet leading dims of b, or the two lists of dims. */
export type TensordotDims = number | readonly [number | readonly number[], number | readonly number[]];

function describe(dims: unknown): string {
  return Array.isArray(dims) ? `[${dims.map(describe).join(', ')}]` : String(dims);
}

function parseDims(dims: unknown): [number[], number[]] {
  if (typeof dims === 'number') {
    if (!Number.isInteger(dims)) throw new TypeError(`tensordot expects an integer number of dims, but got dims=${dims}`);
    if (dims < 0) throw new RuntimeError(`tensordot expects dims >= 0, but got dims=${dims}`);
    return [Array.from({ length: dims }, (_, i) => i - dims), Array.from({ length: dims }, (_, i) => i)];
  }
  if (Array.isArray(dims)) {
    if (dims.length !== 2) throw new RuntimeError(`tensordot expects dims to contain two lists, but got dims=${describe(dims)}`);
    const list = (x: unknown): number[] => (Array.isArray(x) ? (x as number[]) : [x as number]);
    return [list(dims[0]), list(dims[1])];
  }
  throw new RuntimeError(
    `tensordot expects dims to be int or Tuple[List[int], List[int]] or List[List[int]] containing two lists, but got dims=${describe(dims)}`,
  );
}

/**
 * `torch.tensordot(a, b, dims = 2)`; dims may also come as `{ dims }`. The result's dims are a's
 * free dims followed by b's free dims.
 */
export function tensordot(a: Tensor, b: Tensor, dims: TensordotDims | { dims?: TensordotDims } = 2): Tensor {
  requireTensor('tensordot', 'a', 1, a);
  requireTensor('tensordot', 'b', 2, b);
  const spec = dims !== null && typeof dims === 'object' && !Array.isArray(dims) ? (dims as { dims?: TensordotDims }).dims ?? 2 : dims;
  const [dims1, dims2] = parseDims(spec);
  if (dims1.length !== dims2.length) throw new RuntimeError('both dimension lists should have same length');
  return withTemps((tmp) => {
    let t1 = a;
    let t2 = b;
    let csize = 1;
    for (let i = 0; i < dims1.length; i++) {
      const s1 = a._shape[wrapDim(dims1[i]!, a._shape.length, false)]!;
      const s2 = b._shape[wrapDim(dims2[i]!, b._shape.length, false)]!;
      // Broadcast (size-1) contracted dims are summed away right away.
      if (s2 === 1) t1 = tmp(sumDims(t1, [dims1[i]!], true));
      else if (s1 === 1) t2 = tmp(sumDims(t2, [dims2[i]!], true));
      else {
        if (s1 !== s2) {
          throw new RuntimeError(`contracted dimensions need to match, but first has size ${s1} in dim ${dims1[i]} and second has size ${s2} in dim ${dims2[i]}`);
        }
        csize *= s1;
      }
    }
    const c1 = wrapDims(dims1, a._shape.length);
    const c2 = wrapDims(dims2, b._shape.length);
    const free1 = [...a._shape.keys()].filter((d) => !c1.includes(d));
    const free2 = [...b._shape.keys()].filter((d) => !c2.includes(d));
    const outShape = [...free1.map((d) => t1._shape[d]!), ...free2.map((d) => t2._shape[d]!)];
    const size1 = numelOf(free1.map((d) => t1._shape[d]!));
    const size2 = numelOf(free2.map((d) => t2._shape[d]!));
    const m1 = tmp(reshape(tmp(permuteOp.call(t1, [...free1, ...c1])), [size1, csize]));
    const m2 = tmp(reshape(tmp(permuteOp.call(t2, [...c2, ...free2])), [csize, size2]));
    return reshape(tmp(mmOp.call(m1, m2)), outShape);
  });
}

/**
 * Kronecker product: both operands padded to one rank, a's dims interleaved with size-1 dims
 * (a_0, 1, a_1, 1, ...) and b's the other way round, multiplied with broadcasting and merged.
 */
export function kron(input: Tensor, other: Tensor): Tensor {
  requireTensor('kron', 'input', 1, input);
  requireTensor('kron', 'other', 2, other);
  const nd = Math.max(input._shape.length, other._shape.length);
  const padA = nd - input._shape.length;
  const padB = nd - other._shape.length;
  const aShape: number[] = [];
  const bShape: number[] = [];
  const outShape: number[] = [];
  for (let i = 0; i < nd; i++) {
    const sa = i >= padA ? input._shape[i - padA]! : 1;
    const sb = i >= padB ? other._shape[i - padB]! : 1;
    aShape.push(sa, 1);
    bShape.push(1, sb);
    outShape.push(sa * sb);
  }
  return withTemps((tmp) => reshape(tmp(mul(tmp(reshape(input, aShape)), tmp(reshape(other, bShape)))), outShape));
}

declare module '../../tensor.js' {
  interface Tensor {
    kron(other: Tensor): Tensor;
  }
}

(Tensor.prototype as unknown as Record<string, unknown>).kron = function (this: Tensor, other: Tensor) {
  return kron(this, other);
};
