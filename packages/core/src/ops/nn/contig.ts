/** Kernel operands: a contiguous alias or copy; `keep` collects the copies to dispose after the kernel. */
import type { Tensor } from '../../tensor.js';
import { contiguous } from '../copy.js';

export function contig(t: Tensor, keep: Tensor[]): Tensor {
  const c = contiguous(t);
  if (c !== t) keep.push(c);
  return c;
}
