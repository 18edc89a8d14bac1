/**
 * einsum, as PyTorch 1.13 computes it (so that dtypes, views and errors agree):
 * 1. parse the equation: labels [a-zA-Z] per operand, at most one '...' each, optional '->';
 *    the implicit output is '...' then the labels used once, in [A-Za-z] order;
 * 2. align every operand to one dim order (output dims, then contracted dims): repeated labels
 *    become diagonals (views), missing labels size-1 dims, then a permute (a view);
 * 3. contract left to right: dims no later operand needs are summed away, each pair is reduced
 *    with one bmm over (shared, left-only, contracted, right-only) dim groups, or a broadcast
 *    multiply when nothing is contracted. One operand only sums (or is returned as a view).
 */
import { RuntimeError, ValueError } from '../../errors.js';
import { numelOf } from '../../shape.js';
import { Tensor } from '../../tensor.js';
import { mul } from '../elementwise/arithmetic.js';
import { diagonalOp, movedim, permuteOp, reshape, unsqueezeOp, viewOp } from '../view.js';
import { withTemps } from './checks.js';
import { sumDims } from './contract-sum.js';
import { bmmOp } from './products.js';

const LETTERS = 26;
const TOTAL_LABELS = 2 * LETTERS;
const ELLIPSIS = TOTAL_LABELS;

/** 'A'..'Z' -> 0..25, 'a'..'z' -> 26..51 (the order implicit outputs use). */
function labelToSubscript(ch: string): number {
  const c = ch.charCodeAt(0);
  return c <= 90 ? c - 65 : c - 97 + LETTERS;
}

function subscriptToLabel(s: number): string {
  return String.fromCharCode(s < LETTERS ? s + 65 : s - LETTERS + 97);
}

const isAlpha = (ch: string): boolean => /^[A-Za-z]$/.test(ch);

/** An operand's subscripts in the sublist format: integers in [0, 52) or '...' for an ellipsis. */
export type Sublist = ReadonlyArray<number | '...'>;

function sublistToEquation(list: Sublist): string {
  return list.map((n) => {
    if (n === '...') return '...';
    if (Number.isInteger(n) && n >= 0 && n < LETTERS) return String.fromCharCode(65 + n);
    if (Number.isInteger(n) && n >= LETTERS && n < TOTAL_LABELS) return String.fromCharCode(97 + n - LETTERS);
    throw new ValueError('einsum(): subscript in subscript list is not within the valid range [0, 52)');
  }).join('');
}

/**
 * `torch.einsum('ij,jk->ik', a, b)`, `torch.einsum('ij,jk', [a, b])`, or the sublist format
 * `torch.einsum(a, [0, 1], b, [1, 2], [0, 2])` ('...' stands for Python's Ellipsis).
 */
export function einsum(equation: string, ...operands: Tensor[]): Tensor;
export function einsum(equation: string, operands: readonly Tensor[]): Tensor;
export function einsum(...sublistFormat: Array<Tensor | Sublist>): Tensor;
export function einsum(...args: unknown[]): Tensor {
  if (args.length < 2) {
    throw new ValueError('einsum(): must specify the equation string and at least one operand, or at least one operand and its subscripts list');
  }
  let equation: string;
  let operands: unknown[];
  if (args[0] instanceof Tensor) {
    const pairs = args.length % 2 === 1 ? args.slice(0, -1) : args;
    operands = pairs.filter((_, i) => i % 2 === 0);
    equation = pairs.filter((_, i) => i % 2 === 1).map((l) => sublistToEquation(l as Sublist)).join(',');
    if (args.length % 2 === 1) equation += `->${sublistToEquation(args[args.length - 1] as Sublist)}`;
  } else {
    if (typeof args[0] !== 'string') throw new TypeError(`einsum(): argument 'equation' must be str, not ${typeof args[0]}`);
    equation = args[0];
    operands = args.length === 2 && Array.isArray(args[1]) ? (args[1] as unknown[]) : args.slice(1);
  }
  operands.forEach((t, i) => {
    if (!(t instanceof Tensor)) throw new TypeError(`einsum(): argument 'tensors' must be tuple of Tensors, but found element of type ${typeof t} at pos ${i}`);
  });
  return einsumImpl(equation, operands as Tensor[]);
}

interface Parsed {
  opLabels: number[][];
  /** Dims of the aligned operands: output dims come first. */
  permIndex: number;
  outNumDim: number;
  ellNumDim: number;
  ellIndex: number;
  labelPermIndex: number[];
}

function parse(equation: string, operands: readonly Tensor[]): Parsed {
  const numOps = operands.length;
  if (numOps === 0) throw new RuntimeError('einsum(): must provide at least one operand');
  const arrow = equation.indexOf('->');
  const lhs = arrow < 0 ? equation : equation.slice(0, arrow);
  const opLabels: number[][] = operands.map(() => []);
  let ellInInput = false;
  let curr = 0;
  for (let i = 0; i < lhs.length; i++) {
    const ch = lhs[i]!;
    if (ch === ' ') continue;
    if (ch === '.') {
      if (ellInInput) throw new RuntimeError(`einsum(): found '.' for operand ${curr} for which an ellipsis was already found`);
      if (!(i + 2 < lhs.length && lhs[++i] === '.' && lhs[++i] === '.')) {
        throw new RuntimeError(`einsum(): found '.' for operand ${curr} that is not part of any ellipsis`);
      }
      opLabels[curr]!.push(ELLIPSIS);
      ellInInput = true;
    } else if (ch === ',') {
      if (++curr >= numOps) throw new RuntimeError('einsum(): fewer operands were provided than specified in the equation');
      ellInInput = false;
    } else {
      if (!isAlpha(ch)) {
        throw new RuntimeError(`einsum(): invalid subscript given at index ${i} in the equation string, subscripts must be in [a-zA-Z]`);
      }
      opLabels[curr]!.push(labelToSubscript(ch));
    }
  }
  if (curr !== numOps - 1) throw new RuntimeError('einsum(): more operands were provided than specified in the equation');

  const labelCount = new Array<number>(TOTAL_LABELS).fill(0);
  let ellNumDim = 0;
  operands.forEach((op, i) => {
    const ndims = op._shape.length;
    let nlabels = opLabels[i]!.length;
    let hasEllipsis = false;
    for (const label of opLabels[i]!) {
      if (label === ELLIPSIS) {
        nlabels--;
        hasEllipsis = true;
        ellNumDim = Math.max(ellNumDim, ndims - nlabels);
      } else labelCount[label]!++;
    }
    if (hasEllipsis ? nlabels > ndims : nlabels !== ndims) {
      throw new RuntimeError(
        `einsum(): the number of subscripts in the equation (${nlabels}) ${hasEllipsis ? 'is more than' : 'does not match'} the number of dimensions (${ndims}) for operand ${i}${hasEllipsis ? '' : ' and no ellipsis was given'}`,
      );
    }
  });

  const labelPermIndex = new Array<number>(TOTAL_LABELS).fill(-1);
  let permIndex = 0;
  let ellIndex = 0;
  let ellInOutput = false;
  if (arrow < 0) {
    permIndex = ellNumDim;
    ellInOutput = true;
    for (let label = 0; label < TOTAL_LABELS; label++) if (labelCount[label] === 1) labelPermIndex[label] = permIndex++;
  } else {
    const rhs = equation.slice(arrow + 2);
    for (let i = 0; i < rhs.length; i++) {
      const ch = rhs[i]!;
      if (ch === ' ') continue;
      if (ch === '.') {
        if (ellInOutput) throw new RuntimeError("einsum(): found '.' for output but an ellipsis (...) was already found");
        if (!(i + 2 < rhs.length && rhs[++i] === '.' && rhs[++i] === '.')) {
          throw new RuntimeError("einsum(): found '.' for output that is not part of any ellipsis (...)");
        }
        ellIndex = permIndex;
        permIndex += ellNumDim;
        ellInOutput = true;
        continue;
      }
      if (!isAlpha(ch)) {
        throw new RuntimeError(`einsum(): invalid subscript given at index ${lhs.length + 2 + i} in the equation string, subscripts must be in [a-zA-Z]`);
      }
      const index = labelToSubscript(ch);
      if (!(labelCount[index]! > 0 && labelPermIndex[index] === -1)) {
        throw new RuntimeError(`einsum(): output subscript ${ch}${labelPermIndex[index]! > -1 ? ' appears more than once in the output' : ' does not appear in the equation for any input operand'}`);
      }
      labelPermIndex[index] = permIndex++;
    }
  }
  const outNumDim = permIndex;
  if (!ellInOutput) {
    ellIndex = permIndex;
    permIndex += ellNumDim;
  }
  for (let label = 0; label < TOTAL_LABELS; label++) {
    if (labelCount[label]! > 0 && labelPermIndex[label] === -1) labelPermIndex[label] = permIndex++;
  }
  return { opLabels, permIndex, outNumDim, ellNumDim, ellIndex, labelPermIndex };
}

function einsumImpl(equation: string, operands: readonly Tensor[]): Tensor {
  const p = parse(equation, operands);
  const { opLabels, permIndex, outNumDim, ellNumDim, ellIndex, labelPermIndex } = p;
  return withTemps((tmp) => {
    // Check sizes, take diagonals, add missing dims and permute every operand to one dim order,
    // counting per aligned dim how many operands have it with size != 1.
    const labelSize = new Array<number>(TOTAL_LABELS).fill(1);
    const ellSizes = new Array<number>(ellNumDim).fill(1);
    const dimCounts = new Array<number>(permIndex).fill(0);
    const ops: Tensor[] = operands.map((operand, i) => {
      let op = operand;
      const permutation = new Array<number>(permIndex).fill(-1);
      let dim = 0;
      for (const s of opLabels[i]!) {
        if (s === ELLIPSIS) {
          const ndim = operand._shape.length - (opLabels[i]!.length - 1);
          for (let j = ellNumDim - ndim; j < ellNumDim; j++) {
            const size = op._shape[dim]!;
            if (size !== 1) {
              if (ellSizes[j] !== 1 && ellSizes[j] !== size) {
                throw new RuntimeError(`einsum(): dimension ${dim} covered by ellipsis in operand ${i}has size ${size} which does not broadcast with previously seen ellipsis with size ${ellSizes[j]} for the respective dimension`);
              }
              ellSizes[j] = size;
              dimCounts[ellIndex + j]!++;
            }
            permutation[ellIndex + j] = dim++;
          }
        } else if (permutation[labelPermIndex[s]!] === -1) {
          const size = op._shape[dim]!;
          if (size !== 1) {
            if (labelSize[s] !== 1 && labelSize[s] !== size) {
              throw new RuntimeError(`einsum(): subscript ${subscriptToLabel(s)} has size ${size} for operand ${i} which does not broadcast with previously seen size ${labelSize[s]}`);
            }
            labelSize[s] = size;
            dimCounts[labelPermIndex[s]!]!++;
          }
          permutation[labelPermIndex[s]!] = dim++;
        } else {
          // A repeated label: keep the diagonal, where the first occurrence was.
          const prev = permutation[labelPermIndex[s]!]!;
          if (op._shape[dim] !== op._shape[prev]) {
            throw new RuntimeError(`einsum(): subscript ${subscriptToLabel(s)} is repeated for operand ${i} but the sizes don't match, ${op._shape[dim]} != ${op._shape[prev]}`);
          }
          op = tmp(movedim(tmp(diagonalOp.call(op, 0, prev, dim)), -1, prev));
        }
      }
      for (let j = 0; j < permIndex; j++) {
        if (permutation[j] === -1) {
          op = tmp(unsqueezeOp.call(op, dim));
          permutation[j] = dim++;
        }
      }
      return tmp(permuteOp.call(op, permutation));
    });

    while (ops.length > 1) {
      let a = ops.shift()!;
      let b = ops.shift()!;
      // Contract a dim once no later operand has it; sum it away early when only one side has it.
      const contract: number[] = [];
      const aOnly: number[] = [];
      const bOnly: number[] = [];
      for (let dim = outNumDim; dim < permIndex; dim++) {
        if (a._shape[dim] !== 1 && b._shape[dim] !== 1) {
          if (--dimCounts[dim]! === 1) {
            contract.push(dim);
            dimCounts[dim] = 0;
          }
        } else if (dimCounts[dim] === 1) {
          if (a._shape[dim] !== 1) {
            aOnly.push(dim);
            dimCounts[dim] = 0;
          } else if (b._shape[dim] !== 1) {
            bOnly.push(dim);
            dimCounts[dim] = 0;
          }
        }
      }
      if (aOnly.length > 0) a = tmp(sumDims(a, aOnly, true));
      if (bOnly.length > 0) b = tmp(sumDims(b, bOnly, true));
      ops.unshift(tmp(sumproductPair(a, b, contract)));
    }

    const result = ops[0]!;
    if (permIndex - outNumDim === 0) return result;
    if (operands.length > 1) return viewOp.call(result, result._shape.slice(0, outNumDim));
    return sumDims(result, Array.from({ length: permIndex - outNumDim }, (_, i) => outNumDim + i), false);
  });
}

/**
 * (left * right).sum(sumDims, keepdim=true) for aligned operands (same rank, size-1 where a
 * dim is missing) as one bmm: [shared, left-only, contracted] @ [shared, contracted, right-only].
 */
function sumproductPair(leftIn: Tensor, rightIn: Tensor, sumDimsList: readonly number[]): Tensor {
  if (sumDimsList.length === 0) return mul(leftIn, rightIn);
  return withTemps((tmp) => {
    let left = leftIn;
    let right = rightIn;
    const nd = left._shape.length;
    const summed = new Set(sumDimsList);
    const lro: number[] = [], lo: number[] = [], ro: number[] = [];
    let sumSize = 1;
    for (let i = 0; i < nd; i++) {
      const sl = left._shape[i] !== 1;
      const sr = right._shape[i] !== 1;
      if (summed.has(i)) {
        if (sl && sr) {
          if (left._shape[i] !== right._shape[i]) throw new RuntimeError('non-broadcast dimensions must match');
          sumSize *= left._shape[i]!;
        } else if (sl) left = tmp(sumDims(left, [i], true));
        else if (sr) right = tmp(sumDims(right, [i], true));
      } else if (sl && sr) {
        if (left._shape[i] !== right._shape[i]) throw new RuntimeError('non-broadcast dimensions must match');
        lro.push(i);
      } else if (sl) lo.push(i);
      else ro.push(i);
    }
    const lroSize = numelOf(lro.map((d) => left._shape[d]!));
    const loSize = numelOf(lo.map((d) => left._shape[d]!));
    const roSize = numelOf(ro.map((d) => right._shape[d]!));
    const outSize = [...lro.map((d) => left._shape[d]!), ...lo.map((d) => left._shape[d]!), ...sumDimsList.map(() => 1), ...ro.map((d) => right._shape[d]!)];
    const lperm = [...lro, ...lo, ...sumDimsList, ...ro];
    const rperm = [...lro, ...sumDimsList, ...ro, ...lo];
    const operm = new Array<number>(outSize.length);
    [...lro, ...lo, ...sumDimsList, ...ro].forEach((d, i) => (operm[d] = i));
    const l3 = tmp(reshape(tmp(permuteOp.call(left, lperm)), [lroSize, loSize, sumSize]));
    const r3 = tmp(reshape(tmp(permuteOp.call(right, rperm)), [lroSize, sumSize, roSize]));
    const product = tmp(bmmOp.call(l3, r3));
    return permuteOp.call(tmp(viewOp.call(product, outSize)), operm);
  });
}
