/**
 * F.embeddingBag: sums, means or maxima of bags of embedding rows, without materialising the
 * per-index rows per bag. A composite: the bag of each index is worked out on the host from the
 * (integer) offsets, the rows are gathered with indexSelect, and reduced per bag with indexAdd
 * (sum, mean) or scatterReduce 'amax' (max), so autograd comes from those ops.
 */
import * as core from '@torchts/core';
import { IndexError, NotImplementedError, RuntimeError, Tensor, ValueError } from '@torchts/core';
import { embeddingRenorm_, scaleGradByFrequency } from './embedding.js';
import { withTemps } from './temps.js';

export type EmbeddingBagMode = 'sum' | 'mean' | 'max';

export interface EmbeddingBagOptions {
  offsets?: Tensor | null;
  maxNorm?: number | null;
  normType?: number;
  scaleGradByFreq?: boolean;
  mode?: EmbeddingBagMode;
  sparse?: boolean;
  perSampleWeights?: Tensor | null;
  includeLastOffset?: boolean;
  paddingIdx?: number | null;
}

const TYPE_NAMES: Record<string, string> = { float32: 'Float', float64: 'Double', float16: 'Half', bfloat16: 'BFloat16', bool: 'Bool', uint8: 'Byte', int8: 'Char', int16: 'Short' };

function checkIndexDtype(arg: string, t: Tensor): void {
  if (t.dtype !== 'int64' && t.dtype !== 'int32') {
    throw new RuntimeError(
      `Expected tensor for argument #1 '${arg}' to have one of the following scalar types: Long, Int; but got torch.${TYPE_NAMES[t.dtype] ?? t.dtype}Tensor instead (while checking arguments for embedding_bag)`,
    );
  }
}

/** For every position of the flat input: its bag (or -1 when it belongs to none). */
function bagOfEachIndex(offsets: number[], n: number, includeLastOffset: boolean): { bags: number; bagOf: Int32Array } {
  const bags = includeLastOffset ? offsets.length - 1 : offsets.length;
  const bagOf = new Int32Array(n).fill(-1);
  for (let b = 0; b < bags; b++) {
    const start = offsets[b]!;
    const end = b + 1 < offsets.length ? offsets[b + 1]! : n;
    if (start > end) throw new RuntimeError(`embedding_bag: offsets must be non-decreasing, but offsets[${b}] = ${start} > offsets[${b + 1}] = ${end}`);
    if (end > n) throw new RuntimeError(`embedding_bag: offsets[${b + 1}] = ${end} is out of bounds for input of size ${n}`);
    for (let i = start; i < end; i++) bagOf[i] = b;
  }
  return { bags, bagOf };
}

/**
 * `F.embeddingBag(input, weight, opts)`: input is a 1-D tensor of indices split into bags by
 * `offsets`, or a 2-D (B, N) tensor of B bags of N indices (then offsets must be absent).
 * Entries equal to paddingIdx are left out of their bag (and of its mean); empty bags give zeros.
 */
export function embeddingBag(input: Tensor, weight: Tensor, opts: EmbeddingBagOptions = {}): Tensor {
  const mode = opts.mode ?? 'mean';
  if (mode !== 'sum' && mode !== 'mean' && mode !== 'max') throw new ValueError(`mode has to be one of sum, mean or max`);
  checkIndexDtype('indices', input);
  if (weight.ndim !== 2) throw new RuntimeError(`embedding_bag: weight has to be a 2D Tensor, but got Tensor of dimension ${weight.ndim}`);
  if (opts.scaleGradByFreq && mode === 'max') throw new ValueError('max mode does not support scaling the gradient by the frequency');
  if (opts.sparse) throw new NotImplementedError('embedding_bag: sparse=True is not supported: torchts has no sparse tensors (use dense gradients)');
  const offsets = opts.offsets ?? null;
  const psw = opts.perSampleWeights ?? null;
  if (psw !== null && input.shape.join() !== psw.shape.join()) {
    throw new ValueError(`embedding_bag: If per_sample_weights (${psw.shape.join(', ')}) is not None, then it must have the same shape as the input (${input.shape.join(', ')})`);
  }
  let flatInput: number[];
  let offsetList: number[];
  if (input.ndim === 2) {
    if (offsets !== null) {
      throw new ValueError('if input is 2D, then offsets has to be None, as input is treated is a mini-batch of fixed length sequences. However, found offsets of type Tensor');
    }
    const [b, len] = input.shape as [number, number];
    flatInput = (input.flatten().tolist() as number[]).map(Number);
    offsetList = Array.from({ length: b }, (_, i) => i * len);
  } else if (input.ndim === 1) {
    if (offsets === null) throw new ValueError('offsets has to be a 1D Tensor but got None');
    if (offsets.ndim !== 1) throw new ValueError('offsets has to be a 1D Tensor');
    checkIndexDtype('offsets', offsets);
    flatInput = (input.tolist() as number[]).map(Number);
    offsetList = (offsets.tolist() as number[]).map(Number);
  } else {
    throw new ValueError(`input has to be 1D or 2D Tensor, but got Tensor of dimension ${input.ndim}`);
  }
  if (psw !== null && mode !== 'sum') {
    throw new NotImplementedError(`embedding_bag: per_sample_weights was not None. per_sample_weights is only supported for mode='sum' (got mode='${mode}'). Please open a feature request on GitHub.`);
  }
  const numRows = weight.shape[0]!;
  let paddingIdx = opts.paddingIdx ?? null;
  if (paddingIdx !== null) {
    if (paddingIdx >= numRows || paddingIdx < -numRows) throw new RuntimeError('padding_idx must be within the number of embeddings');
    if (paddingIdx < 0) paddingIdx += numRows;
  }
  for (const i of flatInput) if (i < 0 || i >= numRows) throw new IndexError('index out of range in self');
  if (offsetList.length > 0 && offsetList[0] !== 0) {
    throw new ValueError(`offsets[0] has to be 0, i.e., the first sequence in the mini-batch has to start from position 0. However, got ${offsetList[0]}`);
  }
  if (includeLast(opts) && offsetList.length === 0) throw new RuntimeError('embedding_bag: includeLastOffset needs at least one offset');
  if (opts.maxNorm !== undefined && opts.maxNorm !== null) embeddingRenorm_(weight, input, opts.maxNorm, opts.normType ?? 2);

  const { bags, bagOf } = bagOfEachIndex(offsetList, flatInput.length, includeLast(opts));
  // The positions that contribute: inside a bag and not padding.
  const used: number[] = [];
  flatInput.forEach((idx, i) => {
    if (bagOf[i]! >= 0 && idx !== paddingIdx) used.push(i);
  });
  const dim = weight.shape[1]!;
  const device = weight.device;
  return withTemps((t) => {
    const out = t(core.zeros([bags, dim], { dtype: weight.dtype, device }));
    if (used.length === 0) return out;
    const rowIds = t(core.tensor(used.map((i) => flatInput[i]!), { dtype: 'int64', device }));
    const bagIds = t(core.tensor(used.map((i) => bagOf[i]!), { dtype: 'int64', device }));
    let rows = t(core.indexSelect(weight, 0, rowIds));
    if (opts.scaleGradByFreq && weight.requiresGrad) rows = t(scaleGradByFrequency(rows, used.map((i) => flatInput[i]!), flatInput));
    if (mode === 'max') {
      const index = t(t(bagIds.unsqueeze(1)).expand([used.length, dim]));
      return core.scatterReduce(out, 0, index, rows, 'amax', { includeSelf: false });
    }
    if (psw !== null) {
      const positions = t(core.tensor(used, { dtype: 'int64', device }));
      const w = t(core.indexSelect(t(psw.reshape([-1])), 0, positions));
      rows = t(rows.mul(t(w.unsqueeze(1))));
    }
    const sums = core.indexAdd(out, 0, bagIds, rows);
    if (mode === 'sum') return sums;
    t(sums);
    const counts = new Array<number>(bags).fill(0);
    for (const i of used) counts[bagOf[i]!]!++;
    const divisor = t(core.tensor(counts.map((c) => [Math.max(c, 1)]), { dtype: weight.dtype, device }));
    return sums.div(divisor);
  });
}

function includeLast(opts: EmbeddingBagOptions): boolean {
  return opts.includeLastOffset ?? false;
}
