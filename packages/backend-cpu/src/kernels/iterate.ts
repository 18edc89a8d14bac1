/**
 * Strided iteration over several operands sharing one shape, as PyTorch's TensorIterator does:
 * size-1 dims are dropped, dims that are contiguous in every operand are merged, and the kernel
 * runs one tight inner loop per row of the last dim.
 */

export interface Plan {
  shape: number[];
  strides: number[][];
}

export function coalesce(shape: readonly number[], strides: readonly (readonly number[])[]): Plan {
  const keep: number[] = [];
  for (let d = 0; d < shape.length; d++) if (shape[d] !== 1) keep.push(d);
  const outShape: number[] = [];
  const outStrides: number[][] = strides.map(() => []);
  for (const d of keep) {
    const last = outShape.length - 1;
    if (last >= 0 && strides.every((s, k) => outStrides[k]![last] === s[d]! * shape[d]!)) {
      outShape[last] = outShape[last]! * shape[d]!;
      strides.forEach((s, k) => (outStrides[k]![last] = s[d]!));
    } else {
      outShape.push(shape[d]!);
      strides.forEach((s, k) => outStrides[k]!.push(s[d]!));
    }
  }
  if (outShape.length === 0) {
    outShape.push(1);
    outStrides.forEach((s) => s.push(0));
  }
  return { shape: outShape, strides: outStrides };
}

export type RowFn = (offsets: number[], n: number, inner: number[]) => void;
export type RowIterator = (starts: readonly number[], row: RowFn) => void;

/**
 * Plans the walk once (coalesced dims) and returns a runner that calls `row(offsets, n, inner)`
 * for every row of the last dim from the given start offsets; `offsets[k]` is operand k's element
 * offset at the row start. Kernels that walk the same shape many times reuse one runner.
 */
export function rowIterator(shape: readonly number[], strides: readonly (readonly number[])[]): RowIterator {
  if (shape.some((s) => s === 0)) return () => {};
  const plan = coalesce(shape, strides);
  const nd = plan.shape.length;
  const n = plan.shape[nd - 1]!;
  const inner = plan.strides.map((s) => s[nd - 1]!);
  let rows = 1;
  for (let d = 0; d < nd - 1; d++) rows *= plan.shape[d]!;
  const k = strides.length;
  const idx = new Array<number>(Math.max(nd - 1, 0));
  const offsets = new Array<number>(k);
  return (starts, row) => {
    for (let j = 0; j < k; j++) offsets[j] = starts[j]!;
    idx.fill(0);
    for (let r = 0; r < rows; r++) {
      row(offsets, n, inner);
      for (let d = nd - 2; d >= 0; d--) {
        const size = plan.shape[d]!;
        idx[d]!++;
        for (let j = 0; j < k; j++) offsets[j]! += plan.strides[j]![d]!;
        if (idx[d]! < size) break;
        idx[d] = 0;
        for (let j = 0; j < k; j++) offsets[j]! -= plan.strides[j]![d]! * size;
      }
    }
  };
}

/** One-shot form of rowIterator. */
export function forEachRow(
  shape: readonly number[],
  strides: readonly (readonly number[])[],
  starts: readonly number[],
  row: RowFn,
): void {
  rowIterator(shape, strides)(starts, row);
}
