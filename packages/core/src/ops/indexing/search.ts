/**
 * Binary search: searchsorted (1-D boundaries, or N-D whose leading dims match the values', an
 * optional `sorter` permutation, `right`/`side`) and bucketize (1-D boundaries). Results are int64,
 * or int32 with `outInt32`.
 * Kernel signature: searchsorted (out, sorted, values, right, sorter | null), sorted/values/sorter
 * contiguous; each row of `values` (last dim) searches the matching row of `sorted`.
 */
import { defineOp } from '../../dispatcher.js';
import { RuntimeError } from '../../errors.js';
import { fmtShape, shapeEqual } from '../../shape.js';
import { scalarDtype } from '../../promotion.js';
import { Tensor, emptyTensor } from '../../tensor.js';
import { contiguous } from '../copy.js';
import { writeValues } from '../creation.js';
import { isOptions, typeName } from './util.js';

export interface SearchsortedOptions {
  outInt32?: boolean;
  right?: boolean;
  side?: 'left' | 'right' | null;
  sorter?: Tensor | null;
}

function scalarTensor(v: number, device: string): Tensor {
  const t = emptyTensor([], scalarDtype(v), device);
  writeValues(t, [v]);
  return t;
}

export const searchsortedOp = defineOp('searchsorted', (sorted: Tensor, values: Tensor, outInt32: boolean, right: boolean, sorter: Tensor | null): Tensor => {
  if (sorter && !shapeEqual(sorter._shape, sorted._shape)) {
    throw new RuntimeError(`torch.searchsorted(): boundary and sorter must have the same size, but got boundary tensor ${fmtShape(sorted._shape)}and got sorter tensor ${fmtShape(sorter._shape)}`);
  }
  if (sorter && sorter._dtype !== 'int64') {
    throw new RuntimeError(`torch.searchsorted(): sorter must be a tensor of long dtype but got dtype ${typeName(sorter._dtype)}`);
  }
  if (values._shape.length === 0 && sorted._shape.length !== 1) {
    throw new RuntimeError(`torch.searchsorted(): input value can be a scalar only when boundaries tensor dimension is 1, but we got boundaries tensor dim(${sorted._shape.length}) and input value's dim(0) numel(1)`);
  }
  if (sorted._shape.length === 0) {
    throw new RuntimeError('torch.searchsorted(): boundaries tensor should have positive dimension, but got 0 dimension');
  }
  if (sorted._shape.length !== 1) {
    const lead = sorted._shape.slice(0, -1);
    if (values._shape.length !== sorted._shape.length || !shapeEqual(lead, values._shape.slice(0, -1))) {
      throw new RuntimeError(`torch.searchsorted(): boundaries tensor should be 1 dimension or the first N-1 dimensions of boundaries tensor and input value tensor must match, but we got boundaries tensor ${fmtShape(sorted._shape)} and input value tensor ${fmtShape(values._shape)}`);
    }
  }
  const out = emptyTensor([...values._shape], outInt32 ? 'int32' : 'int64', values.device);
  if (out.numel() === 0) return out;
  const s = contiguous(sorted);
  const v = contiguous(values);
  const so = sorter ? contiguous(sorter) : null;
  try {
    searchsortedOp.kernel(values.device)(out, s, v, right, so);
  } catch (e) {
    out.dispose();
    throw e;
  } finally {
    if (s !== sorted) s.dispose();
    if (v !== values) v.dispose();
    if (so && so !== sorter) so.dispose();
  }
  return out;
});

/** `torch.searchsorted(sortedSequence, values, { right, side, outInt32, sorter })`. */
export function searchsorted(sortedSequence: Tensor, values: Tensor | number, opts: SearchsortedOptions = {}): Tensor {
  const o: SearchsortedOptions = isOptions(opts) ? opts : {};
  let right = o.right ?? false;
  if (o.side !== undefined && o.side !== null) {
    if (o.side !== 'left' && o.side !== 'right') throw new RuntimeError(`torch.searchsorted(): side can only be 'left' or 'right' but got ${String(o.side)}`);
    if (o.side === 'left' && right) {
      throw new RuntimeError('torch.searchsorted(): side and right can\'t be set to opposites, got side of left while right was True');
    }
    right = o.side === 'right';
  }
  const v = typeof values === 'number' ? scalarTensor(values, sortedSequence.device) : values;
  try {
    return searchsortedOp.call(sortedSequence, v, o.outInt32 ?? false, right, o.sorter ?? null);
  } finally {
    if (v !== values) v.dispose();
  }
}

/** `torch.bucketize(input, boundaries, { right, outInt32 })`: boundaries must be 1-D. */
export function bucketize(input: Tensor | number, boundaries: Tensor, opts: { outInt32?: boolean; right?: boolean } = {}): Tensor {
  if (boundaries._shape.length !== 1) throw new RuntimeError(`boundaries tensor must be 1 dimension, but got dim(${boundaries._shape.length})`);
  return searchsorted(boundaries, input, { outInt32: opts.outInt32, right: opts.right });
}
