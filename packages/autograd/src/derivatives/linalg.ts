/**
 * Derivatives of the matrix products: mm, bmm, mv, dot/vdot, the fused addmm/addmv/baddbmm/
 * addbmm (and their in-place forms), _addmm_activation and the `_gemm` primitive. matmul, einsum, tensordot, kron,
 * trace, diag, cross... are composites of these (and of views/elementwise ops): they need nothing.
 *
 * An operand is saved only when the other operand's gradient needs it (PyTorch does the same),
 * so a frozen weight does not keep the activations alive.
 */
import { Tensor, addmm, thresholdBackward } from '@torchts/core';
import { defineDerivative } from '../registry.js';
import { operandMeta, reduceTo } from './util.js';
import { geluExact } from './elementwise-activation.js';

/** `x` when `needed`, else nothing (the other operand's gradient does not need its value). */
const keepIf = (needed: boolean, x: unknown): Tensor | null => (needed ? (x as Tensor) : null);
const requires = (x: unknown): boolean => (x as Tensor).requiresGrad;

/** beta/alpha of the fused forms as numbers (booleans count as 0/1, as the ops read them). */
function coefficient(v: unknown): number {
  return typeof v === 'boolean' ? Number(v) : typeof v === 'number' ? v : 1;
}
function scales(opts: unknown): { beta: number; alpha: number } {
  const o = (opts ?? {}) as { beta?: unknown; alpha?: unknown };
  return { beta: coefficient(o.beta), alpha: coefficient(o.alpha) };
}

/** PyTorch's maybe_multiply: no multiplication by 1. */
const scaled = (t: Tensor, s: number): Tensor => (s === 1 ? t : t.mul(s));

/** Saves both operands of a product `a op b`, each only if the other requires grad. */
const saveOperands = (args: readonly unknown[], i = 0) => ({
  a: keepIf(requires(args[i + 1]), args[i]),
  b: keepIf(requires(args[i]), args[i + 1]),
});

/** Which operands of a matrix product (args i, i + 1) are column-major: mat1Grad/mat2Grad lay out by it. */
const layouts = (args: readonly unknown[], i = 0) => ({ aColumnMajor: columnMajor(args[i]), bColumnMajor: columnMajor(args[i + 1]) });

/** A [m, k] matrix stored column by column (a transposed contiguous one: Linear's `weight.t()`). */
function columnMajor(t: unknown): boolean {
  return t instanceof Tensor && t.dim() === 2 && t._strides[0] === 1 && t._strides[1] === t.shape[0];
}

/**
 * d(a @ b)/da = g @ b^T and d(a @ b)/db = a^T @ g, laid out as PyTorch's mm_mat1_backward /
 * mm_mat2_backward do: a column-major operand gets its gradient as the transpose of a row-major
 * product, so the gradient of `weight.t()` reaches a Linear weight contiguous (no transposing copy
 * when it is accumulated into `.grad`).
 */
function mat1Grad(g: Tensor, { b, aColumnMajor }: Record<string, unknown>): Tensor {
  return aColumnMajor ? (b as Tensor).mm(g.t()).t() : g.mm((b as Tensor).t());
}

function mat2Grad(g: Tensor, { a, bColumnMajor }: Record<string, unknown>): Tensor {
  return bColumnMajor ? g.t().mm(a as Tensor).t() : (a as Tensor).t().mm(g);
}

defineDerivative('mm', {
  save: (args) => ({ ...saveOperands(args), ...layouts(args) }),
  backward: ([g], { saved, needsInputGrad: [na, nb] }) => [na ? mat1Grad(g!, saved) : null, nb ? mat2Grad(g!, saved) : null],
});

defineDerivative('bmm', {
  save: (args) => saveOperands(args),
  backward: ([g], { saved: { a, b }, needsInputGrad: [na, nb] }) => [
    na ? g!.bmm((b as Tensor).transpose(1, 2)) : null,
    nb ? (a as Tensor).transpose(1, 2).bmm(g!) : null,
  ],
});

/** d(M v)/dM = g v^T (as an mm of a column by a row), d(M v)/dv = M^T g. */
defineDerivative('mv', {
  save: (args) => saveOperands(args),
  backward: ([g], { saved: { a, b }, needsInputGrad: [na, nb] }) => [
    na ? g!.unsqueeze(1).mm((b as Tensor).unsqueeze(0)) : null,
    nb ? (a as Tensor).t().mv(g!) : null,
  ],
});

// Real tensors only: vdot's conjugation is the identity.
defineDerivative(['dot', 'vdot'], {
  save: (args) => saveOperands(args),
  backward: ([g], { saved: { a, b }, needsInputGrad: [na, nb] }) => [
    na ? g!.mul(b as Tensor) : null,
    nb ? g!.mul(a as Tensor) : null,
  ],
});

/** The fused forms: out = beta * input + alpha * product(m1, m2). */
const saveFused = (args: readonly unknown[]) => ({
  input: operandMeta(args[0]),
  ...saveOperands(args, 1),
  ...scales(args[3]),
});

/** addmm's (and _addmm_activation's) saved values: saveFused's and the matrices' layouts. */
const saveAddmm = (args: readonly unknown[]) => ({ ...saveFused(args), ...layouts(args, 1) });

/** addmm's gradients (input, mat1, mat2) from the gradient `g` of its output. */
function addmmGrads(g: Tensor, saved: Record<string, unknown>, [ni, na, nb]: readonly boolean[]) {
  const { input, alpha, beta } = saved;
  return [
    ni ? reduceTo(input, scaled(g, beta as number)) : null,
    na ? scaled(mat1Grad(g, saved), alpha as number) : null,
    nb ? scaled(mat2Grad(g, saved), alpha as number) : null,
  ];
}

// In-place forms (addmm_ ...) reuse these; self's old value is not needed, only its shape.
defineDerivative('addmm', {
  save: saveAddmm,
  selfUnused: true,
  backward: ([g], { saved, needsInputGrad }) => addmmGrads(g!, saved, needsInputGrad),
});

/**
 * relu/gelu(addmm(...)) in one op: the activation's gradient, then addmm's. relu's comes from the
 * result (none where it is <= 0); gelu's needs the pre-activation, which the op does not keep: one
 * addmm recomputes it from the saved operands.
 */
defineDerivative('_addmm_activation', {
  save: (args, result) => {
    const gelu = (args[3] as { useGelu?: boolean } | undefined)?.useGelu === true;
    return { ...saveAddmm(args), y: gelu ? null : (result as Tensor), operands: gelu ? args.slice(0, 3) : null };
  },
  backward: ([g], { saved, needsInputGrad }) => {
    let gz: Tensor;
    if (saved.operands) {
      const [input, a, b] = saved.operands as Tensor[];
      gz = g!.mul(geluExact(addmm(input!, a!, b!, { beta: saved.beta as number, alpha: saved.alpha as number })));
    } else {
      gz = thresholdBackward(g!, saved.y as Tensor, 0);
    }
    return addmmGrads(gz, saved, needsInputGrad);
  },
});

defineDerivative('addmv', {
  save: saveFused,
  selfUnused: true,
  backward: ([g], { saved: { input, a, b, alpha, beta }, needsInputGrad: [ni, na, nb] }) => [
    ni ? reduceTo(input, scaled(g!, beta as number)) : null,
    na ? scaled(g!.unsqueeze(1).mm((b as Tensor).unsqueeze(0)), alpha as number) : null,
    nb ? scaled((a as Tensor).t().mv(g!), alpha as number) : null,
  ],
});

defineDerivative('baddbmm', {
  save: saveFused,
  selfUnused: true,
  backward: ([g], { saved: { input, a, b, alpha, beta }, needsInputGrad: [ni, na, nb] }) => [
    ni ? reduceTo(input, scaled(g!, beta as number)) : null,
    na ? scaled(g!.bmm((b as Tensor).transpose(1, 2)), alpha as number) : null,
    nb ? scaled((a as Tensor).transpose(1, 2).bmm(g!), alpha as number) : null,
  ],
});

/** addbmm sums the batch of products: each batch entry sees the same output gradient. */
defineDerivative('addbmm', {
  save: (args) => ({ ...saveFused(args), batch: (args[1] as Tensor).shape[0] }),
  selfUnused: true,
  backward: ([g], { saved: { input, a, b, alpha, beta, batch }, needsInputGrad: [ni, na, nb] }) => {
    const expand = () => g!.unsqueeze(0).expand([batch as number, ...g!.shape]);
    return [
      ni ? reduceTo(input, scaled(g!, beta as number)) : null,
      na ? scaled(expand().bmm((b as Tensor).transpose(1, 2)), alpha as number) : null,
      nb ? scaled((a as Tensor).transpose(1, 2).bmm(expand()), alpha as number) : null,
    ];
  },
});

/**
 * The primitive out = alpha * a @ b + beta * out (batched, operands of one rank). Composites never
 * reach it through autograd (the products above run it below the Autograd layer); this covers
 * direct calls.
 */
defineDerivative('_gemm', {
  save: (args) => ({ ...saveOperands(args, 1), alpha: args[3], beta: args[4] }),
  selfUnused: true,
  backward: ([g], { saved: { a, b, alpha, beta }, needsInputGrad: [no, na, nb] }) => [
    no ? scaled(g!, beta as number) : null,
    na ? scaled(g!.matmul((b as Tensor).transpose(-2, -1)), alpha as number) : null,
    nb ? scaled((a as Tensor).transpose(-2, -1).matmul(g!), alpha as number) : null,
  ],
});
