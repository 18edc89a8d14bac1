/**
 * F.embedding: rows of `weight` picked by integer indices (paddingIdx rows get no gradient; maxNorm
 * renormalises in place; scaleGradByFreq divides each row's gradient by its index's count in the
 * input). Sparse gradients do not exist in torchts: `sparse: true` throws.
 */
import * as core from '@torchts/core';
import { NotImplementedError, RuntimeError, Tensor } from '@torchts/core';
import { noGrad } from '@torchts/autograd';
import { withTemps } from './temps.js';

export interface EmbeddingOptions {
  paddingIdx?: number | null;
  maxNorm?: number | null;
  normType?: number;
  scaleGradByFreq?: boolean;
  sparse?: boolean;
}

const TYPE_NAMES: Record<string, string> = { float32: 'Float', float64: 'Double', float16: 'Half', bfloat16: 'BFloat16', bool: 'Bool', uint8: 'Byte', int8: 'Char', int16: 'Short' };

/** Scales, in place, the rows of `weight` named in `indices` whose norm exceeds maxNorm (ATen's embedding_renorm_). */
export function embeddingRenorm_(weight: Tensor, indices: Tensor, maxNorm: number, normType = 2): Tensor {
  noGrad(() => {
    const rows = [...new Set((indices.flatten().tolist() as number[]).map(Number))];
    for (const r of rows) {
      const row = weight.select(0, r);
      const norm = (row.norm(normType) as Tensor).item<number>();
      if (norm > maxNorm) row.mul_(maxNorm / (norm + 1e-7));
      row.dispose();
    }
  });
  return weight;
}

/**
 * scale_grad_by_freq: `rows` (first dim aligned with `rowIndices`) unchanged in value, with the
 * gradient of each row divided by how often its index occurs in `allIndices`. Written as
 * detach(rows) + (rows - detach(rows)) * scale, which is exact in the forward (the difference is 0).
 */
export function scaleGradByFrequency(rows: Tensor, rowIndices: readonly number[], allIndices: readonly number[]): Tensor {
  const counts = new Map<number, number>();
  for (const i of allIndices) counts.set(i, (counts.get(i) ?? 0) + 1);
  const scale = rowIndices.map((i) => 1 / (counts.get(i) ?? 1));
  return withTemps((t) => {
    const shape = [rows.shape[0]!, ...Array<number>(rows.ndim - 1).fill(1)];
    const s = t(t(core.tensor(scale, { dtype: rows.dtype, device: rows.device })).reshape(shape));
    const fixed = t(rows.detach());
    return fixed.add(t(t(rows.sub(fixed)).mul(s)));
  });
}

export function embedding(input: Tensor, weight: Tensor, opts: EmbeddingOptions = {}): Tensor {
  if (input.dtype !== 'int64' && input.dtype !== 'int32') {
    throw new RuntimeError(
      `Expected tensor for argument #1 'indices' to have one of the following scalar types: Long, Int; but got torch.${TYPE_NAMES[input.dtype] ?? input.dtype}Tensor instead (while checking arguments for embedding)`,
    );
  }
  if (opts.sparse) throw new NotImplementedError('embedding: sparse=True is not supported: torchts has no sparse tensors (use dense gradients)');
  const n = weight.shape[0]!;
  let paddingIdx = opts.paddingIdx ?? null;
  if (paddingIdx !== null) {
    if (paddingIdx >= n || paddingIdx < -n) throw new RuntimeError('Padding_idx must be within num_embeddings');
    if (paddingIdx < 0) paddingIdx += n;
  }
  if (opts.maxNorm !== undefined && opts.maxNorm !== null) embeddingRenorm_(weight, input, opts.maxNorm, opts.normType ?? 2);
  return withTemps((t) => {
    const flat = t(input.reshape([-1]));
    let picked = t(core.indexSelect(weight, 0, flat));
    if (opts.scaleGradByFreq && weight.requiresGrad) {
      const ids = (flat.tolist() as number[]).map(Number);
      picked = t(scaleGradByFrequency(picked, ids, ids));
    }
    const rows = t(picked.reshape([...input.shape, ...weight.shape.slice(1)]));
    if (paddingIdx === null) return rows;
    // Padding positions keep their value but pass no gradient to the padding row.
    const pad = t(t(input.eq(paddingIdx)).reshape([...input.shape, ...Array<number>(weight.ndim - 1).fill(1)]));
    return core.where(pad, t(rows.detach()), rows);
  });
}
