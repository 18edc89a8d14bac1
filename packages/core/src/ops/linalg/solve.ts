/**
 * torch.linalg.solve(A, B) as `solve`: X with A X = B, by Gauss-Jordan elimination with partial
 * pivoting written in tensor ops (one rank-1 update of [A | B] per column). The pivots are chosen
 * on the host from the values; everything else is differentiable ops, so autograd gives
 * dX/dA and dX/dB, and every backend runs it. O(n) ops per matrix: meant for small and
 * medium systems (parametrizations, layers), not for large dense solves.
 */
import { RuntimeError } from '../../errors.js';
import { isFloatingPoint } from '../../dtype.js';
import { scalarTypeName } from '../../promotion.js';
import { broadcastShapes } from '../../shape.js';
import { Tensor } from '../../tensor.js';
import { tensor } from '../creation.js';
import { cat, stack } from '../shape/cat.js';
import { requireTensor, withTemps } from './checks.js';

/** Solves one system [n, n] x [n, k]; `where` names the batch element in errors. */
function solveOne(a: Tensor, b: Tensor, where: string): Tensor {
  const n = a.shape[0]!;
  return withTemps((t) => {
    let m: Tensor = t(cat([a, b], 1));
    const width = m.shape[1]!;
    for (let c = 0; c < n; c++) {
      const column = (t(t(m.detach()).select(1, c)).tolist() as number[]).map(Number);
      let p = c;
      for (let r = c + 1; r < n; r++) if (Math.abs(column[r]!) > Math.abs(column[p]!)) p = r;
      if (column[p] === 0 || !Number.isFinite(column[p]!)) {
        if (Number.isNaN(column[p]!)) break; // NaNs propagate, as LAPACK's do
        throw new RuntimeError(`torch.linalg.solve: ${where}The solver failed because the input matrix is singular.`);
      }
      if (p !== c) {
        const perm = Array.from({ length: n }, (_, i) => (i === c ? p : i === p ? c : i));
        m = t(m.indexSelect(0, t(tensor(perm, { dtype: 'int64', device: m.device }))));
      }
      // Row c becomes the pivot row divided by the pivot; every other row loses its column-c multiple.
      const row = t(t(m.select(0, c)).div(t(t(m.select(1, c)).select(0, c))));
      const unit = new Array<number>(n).fill(0);
      unit[c] = 1;
      const factor = t(t(m.select(1, c)).sub(t(tensor(unit, { dtype: m.dtype, device: m.device }))));
      m = t(m.sub(t(t(factor.unsqueeze(1)).mul(t(row.unsqueeze(0))))));
    }
    return t(m.narrow(1, n, width - n)).contiguous();
  });
}

/** torch.linalg.solve(A, B): A [..., n, n], B [..., n, k] or [..., n] (vector case as in PyTorch 1.13). */
export function solve(A: Tensor, B: Tensor): Tensor {
  requireTensor('linalg_solve', 'A', 1, A);
  requireTensor('linalg_solve', 'B', 2, B);
  if (A.shape.length < 2) throw new RuntimeError('linalg.solve: The input tensor A must have at least 2 dimensions.');
  const [rows, cols] = A.shape.slice(-2) as [number, number];
  if (rows !== cols) throw new RuntimeError(`linalg.solve: A must be batches of square matrices, but they are ${rows} by ${cols} matrices`);
  if (A.dtype !== B.dtype) {
    throw new RuntimeError(`linalg.solve: Expected A and B to have the same dtype, but found A of type ${scalarTypeName(A.dtype)} and B of type ${scalarTypeName(B.dtype)} instead`);
  }
  if (!isFloatingPoint(A.dtype)) {
    throw new RuntimeError(`linalg.solve: Expected a floating point or complex tensor as input. Got ${scalarTypeName(A.dtype)}`);
  }
  const n = rows;
  const vectorCase = B.shape.length === 1 || (B.shape.length === A.shape.length - 1 && B.shape.join() === A.shape.slice(0, -1).join());
  return withTemps((t) => {
    const b2 = vectorCase ? t(B.unsqueeze(-1)) : B;
    if (b2.shape[b2.shape.length - 2] !== n) {
      throw new RuntimeError(`linalg.solve: Incompatible shapes of A and B for the equation AX = B (${A.shape.join('x')} and ${b2.shape.join('x')})`);
    }
    const k = b2.shape[b2.shape.length - 1]!;
    const batch = broadcastShapes(A.shape.slice(0, -2), b2.shape.slice(0, -2));
    const count = batch.reduce((x, y) => x * y, 1);
    const a3 = t(t(A.expand([...batch, n, n])).reshape([count, n, n]));
    const b3 = t(t(b2.expand([...batch, n, k])).reshape([count, n, k]));
    const solved = Array.from({ length: count }, (_, i) =>
      t(solveOne(t(a3.select(0, i)), t(b3.select(0, i)), batch.length > 0 ? `(Batch element ${i}): ` : '')));
    const x = t(stack(solved, 0)).reshape([...batch, n, k]);
    return vectorCase ? (t(x), x.squeeze(-1)) : x;
  });
}
