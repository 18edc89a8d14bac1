import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import '@torchts/backend-cpu';
import { RuntimeError, Tensor, ValueError, cat, varMean, dispose, manualSeed, memory, ones, pad, randn, registerLayer, stack, tensor, tidy, zeros } from '@torchts/core';
import type { Layer } from '@torchts/core';
import { func, grad as autogradGrad } from '../src/index.js';

const { grad, gradAndValue, vjp, jvp, jacrev, jacfwd, hessian, vmap } = func;

// ---- PyTorch fixtures (tooling/fixtures/cases/grad_func.py) ---------------------------------

interface Enc {
  shape: number[];
  data: number[];
}
const fixtures = JSON.parse(readFileSync(join(dirname(fileURLToPath(import.meta.url)), 'fixtures', 'grad_func.json'), 'utf8')) as {
  cases: Record<string, Record<string, Enc | Enc[]>>;
};
const fx = (name: string) => fixtures.cases[name]!;
const T = (e: Enc | Enc[]): Tensor => {
  const x = e as Enc;
  return tensor(x.data, { dtype: 'float64' }).reshape(x.shape);
};
const L = (e: Enc | Enc[]): Tensor[] => (e as Enc[]).map(T);

function expectClose(got: unknown, want: Tensor | number[] | number[][] | number, tol = 1e-9): void {
  const g = got as Tensor;
  const w = want instanceof Tensor ? want : tensor(want, { dtype: 'float64' });
  expect([...g.shape]).toEqual([...w.shape]);
  const a = [g.reshape(-1).tolist()].flat() as number[];
  const b = [w.reshape(-1).tolist()].flat() as number[];
  a.forEach((v, i) => expect(Math.abs(v - b[i]!)).toBeLessThanOrEqual(tol * (1 + Math.abs(b[i]!))));
}

// The functions of grad_func.py, written with torchts ops.
const cubic = (x: Tensor) => x.mul(x).mul(x).sum().add(x.select(0, 0).mul(x.select(0, 1))).add(x.sin().sum());
const layer = (x: Tensor, w: Tensor) => w.matmul(x).tanh().mul(x.sum());
const twoOutputs = (x: Tensor, w: Tensor) => [w.matmul(x).exp(), x.mul(x).sum(0)];
const loss = (w: Tensor, x: Tensor, y: Tensor) => x.matmul(w).sub(y).pow(2).mean();
const lossAux = (w: Tensor, x: Tensor, y: Tensor) => {
  const r = x.matmul(w).sub(y);
  return [r.pow(2).mean(), r];
};
const batchedFn = (a: Tensor, w: Tensor) =>
  a.matmul(w).softmax(-1).mul(a.sum()).logSoftmax(0).add(a.mean()).sub(a.amax(0, true).sum());

describe('torch.func against PyTorch (functorch 1.13)', () => {
  it('grad, gradAndValue and hessian of a scalar function', () => {
    const c = fx('cubic');
    const x = T(c.x!);
    expectClose(grad(cubic)(x), T(c.grad!));
    const [g, v] = gradAndValue(cubic)(x) as Tensor[];
    expectClose(g, T(c.grad!));
    expectClose(v, T(c.value!));
    expectClose(hessian(cubic)(x), T(c.hessian!));
  });

  it('jacrev, jacfwd (argnums) and hessian of a two-argument function', () => {
    const c = fx('layer');
    const x = T(c.x!);
    const w = T(c.w!);
    expectClose(jacrev(layer)(x, w), T(c.jacrev0!));
    const [jx, jw] = jacrev(layer, [0, 1])(x, w) as Tensor[];
    const [ex, ew] = L(c.jacrev01!);
    expectClose(jx, ex!);
    expectClose(jw, ew!);
    expectClose(jacfwd(layer, 1)(x, w), T(c.jacfwd1!));
    expectClose(hessian((t: Tensor) => layer(t, w).sum())(x), T(c.hessian0!));
  });

  it('jvp and vjp', () => {
    const c = fx('layer');
    const d = fx('layer_jvp_vjp');
    const x = T(c.x!);
    const w = T(c.w!);
    const [out, jv] = jvp(layer, [x, w], [T(d.tx!), T(d.tw!)]) as Tensor[];
    expectClose(out, T(d.out!));
    expectClose(jv, T(d.jvp!));
    const [out2, vjpFn] = vjp(layer, x, w) as [Tensor, func.VjpFn];
    expectClose(out2, T(d.out!));
    const [gx, gw] = vjpFn(T(d.ct!));
    const [ex, ew] = L(d.vjp!);
    expectClose(gx, ex!);
    expectClose(gw, ew!);
    // May be called again (the graph is retained until retainGraph: false).
    expectClose(vjpFn(T(d.ct!), { retainGraph: false })[0], ex!);
    expect(() => vjpFn(T(d.ct!))).toThrow(/freed/);
  });

  it('Jacobians of a function with two outputs', () => {
    const c = fx('layer');
    const x = T(c.x!);
    const w = T(c.w!);
    const rev = jacrev(twoOutputs, [0, 1])(x, w) as Tensor[][];
    const want = fx('two_outputs').jacrev as unknown as Enc[][];
    rev.forEach((row, o) => row.forEach((j, a) => expectClose(j, T(want[o]![a]!))));
    const fwd = jacfwd(twoOutputs)(x, w) as Tensor[];
    (fx('two_outputs').jacfwd as Enc[]).forEach((e, o) => expectClose(fwd[o], T(e)));
  });

  it('per-sample gradients: vmap(grad(loss)), grad with hasAux, vmap(jacrev)', () => {
    const c = fx('per_sample');
    const [w, xs, ys] = [T(c.w!), T(c.xs!), T(c.ys!)];
    expectClose(vmap(grad(loss), { inDims: [null, 0, 0] })(w, xs, ys), T(c.grads!));
    const [g, aux] = grad(lossAux, { hasAux: true })(w, xs, ys) as Tensor[];
    expectClose(g, T(c.grad_aux!));
    expectClose(aux, T(c.aux!));
    expect(aux!.requiresGrad).toBe(false);
    expectClose(vmap(jacrev(loss), { inDims: [null, 0, 0] })(w, xs, ys), T(c.jacrev_batched!));
  });

  it('vmap of softmax/logSoftmax/matmul/reductions, inDims and outDims', () => {
    const c = fx('batched_fn');
    const a = T(c.a!);
    const w = T(c.w!);
    expectClose(vmap(batchedFn, { inDims: [0, null] })(a, w), T(c.out!), 1e-12);
    expectClose(vmap(batchedFn, { inDims: [1, null], outDims: 1 })(a.t().contiguous(), w), T(c.out1!), 1e-12);
  });
});

describe('grad and composition', () => {
  it('hessian of a known function: f = sum(x^3) + x0 x1 has H = diag(6x) + [[0,1],[1,0]] block', () => {
    const f = (x: Tensor) => x.mul(x).mul(x).sum().add(x.select(0, 0).mul(x.select(0, 1)));
    const x = tensor([1, 2, 3], { dtype: 'float64' });
    expectClose(hessian(f)(x), [[6, 1, 0], [1, 12, 0], [0, 0, 18]]);
    expectClose(jacfwd(jacrev(f))(x), [[6, 1, 0], [1, 12, 0], [0, 0, 18]]);
  });

  it('grad(grad(f)) and grad with several argnums', () => {
    const f = (x: Tensor) => x.mul(x).mul(x).sum(); // d2/dx2 sum(x^3) summed: 6x
    const x = tensor([0.5, -2], { dtype: 'float64' });
    expectClose(grad((t: Tensor) => (grad(f)(t) as Tensor).sum())(x), [3, -12]);
    const g = (a: Tensor, b: Tensor, k: number) => a.mul(b).sum().mul(k);
    const [ga, gb] = grad(g, { argnums: [0, 1] })(tensor([1, 2]), tensor([3, 4]), 2) as Tensor[];
    expect(ga!.tolist()).toEqual([6, 8]);
    expect(gb!.tolist()).toEqual([2, 4]);
    expect((grad(g, { argnums: -2 })(tensor([1, 2]), tensor([3, 4]), 2) as Tensor).tolist()).toEqual([2, 4]);
  });

  it('jacrev and jacfwd agree (several shapes and argnums)', () => {
    manualSeed(3);
    const a = randn(3, 2, { dtype: 'float64' });
    const b = randn(2, { dtype: 'float64' });
    const fns: Array<(x: Tensor, y: Tensor) => Tensor> = [
      (x, y) => x.matmul(y).sin(),
      (x, y) => x.mul(y).exp().sum(0),
      (x, y) => x.tanh().mul(y.cos()).cumsum(1),
      (x, y) => x.div(y.add(3)).softmax(0),
      (x) => x.t().reshape(-1).mul(2),
    ];
    for (const f of fns) {
      const r = jacrev(f, [0, 1])(a, b) as Tensor[];
      const fw = jacfwd(f, [0, 1])(a, b) as Tensor[];
      r.forEach((j, i) => expectClose(j, fw[i]!, 1e-10));
    }
  });

  it('a top-level grad of an input with history stays differentiable by backward', () => {
    const w = tensor([1, 2], { dtype: 'float64', requiresGrad: true });
    const g = grad((t: Tensor) => t.mul(t).mul(t).sum())(w) as Tensor; // 3w^2
    expect(g.requiresGrad).toBe(true);
    g.sum().backward();
    expect(w.grad!.tolist()).toEqual([6, 12]);
  });

  it('reaches tensors f closes over when an enclosing transform differentiates them', () => {
    // d/dw [ d/dx (w x^2) at x=3 ] = 2x = 6 per element
    const outer = (w: Tensor) => (grad((x: Tensor) => w.mul(x).mul(x).sum())(tensor([3, 3], { dtype: 'float64' })) as Tensor).sum();
    expectClose(grad(outer)(tensor([1, 1], { dtype: 'float64' })), [6, 6]);
  });

  it('does not touch .grad', () => {
    const x = tensor([0.5, 1.5, -1], { dtype: 'float64', requiresGrad: true });
    const f = (t: Tensor) => t.sin().mul(t).sum();
    grad(f)(x);
    jacrev((t: Tensor) => t.exp())(x);
    hessian(f)(x);
    vjp(f, x);
    expect(x.grad).toBe(null);
  });

  it('leaks no tensors (results disposed: live tensor count back to where it was)', () => {
    const x = tensor([0.5, 1.5, -1], { dtype: 'float64' });
    const batch = tensor([[1, 2, 3], [4, 5, 6]], { dtype: 'float64' });
    const f = (t: Tensor) => t.sin().mul(t).sum();
    const before = memory().liveTensors;
    const calls: Array<() => unknown> = [
      () => grad(f)(x),
      () => gradAndValue(f)(x),
      () => jacrev((t: Tensor) => t.exp().mul(t))(x),
      () => jacfwd((t: Tensor) => t.exp().mul(t))(x),
      () => hessian(f)(x),
      () => tidy(() => jvp((t: Tensor) => t.sin(), [x], [ones(3, { dtype: 'float64' })])),
      () => tidy(() => {
        const [o, fn] = vjp((t: Tensor) => t.exp(), x) as [Tensor, func.VjpFn];
        return [o, fn(ones(3, { dtype: 'float64' }), { retainGraph: false })];
      }),
      () => vmap(grad(f))(batch),
      () => vmap(jacfwd((t: Tensor) => t.sin()))(batch),
      () => grad((t: Tensor) => (grad(f)(t) as Tensor).sum())(x),
    ];
    for (const call of calls) {
      const r = call();
      dispose(r);
      // Results depending on x (which requires grad) keep a graph; disposing them frees it.
      expect(memory().liveTensors).toBe(before);
    }
  });

  it('gives zeros for inputs f does not use and for constant outputs', () => {
    const [ga, gb] = grad((a: Tensor, _b: Tensor) => a.sum(), { argnums: [0, 1] })(tensor([1, 2]), tensor([3])) as Tensor[];
    expect(ga!.tolist()).toEqual([1, 1]);
    expect(gb!.tolist()).toEqual([0]);
    expect((grad((_t: Tensor) => tensor(3))(tensor([1, 2])) as Tensor).tolist()).toEqual([0, 0]);
    expect((jacrev((t: Tensor) => zeros(2).add(t.sum().mul(0)))(tensor([1, 2, 3])) as Tensor).tolist()).toEqual([[0, 0, 0], [0, 0, 0]]);
  });

  it('reports functorch\'s errors', () => {
    const x = tensor([1, 2]);
    expect(() => grad((t: Tensor) => t.mul(2))(x)).toThrow('grad(f)(*args): Expected f(*args) to return a scalar Tensor, got tensor with 1 dims. Maybe you wanted to use the vjp or jacrev APIs instead?');
    expect(() => grad((t: Tensor) => t.sum(), { argnums: 2 })(x)).toThrow('Got argnums=2, but only 1 positional inputs');
    expect(() => grad((t: Tensor) => t.sum(), { hasAux: true })(x)).toThrow('grad(f)(*args): output of function f should be a tuple: (output, aux) if has_aux is True');
    expect(() => grad((t: Tensor) => t.sum())(tensor([1, 2], { dtype: 'int64' }))).toThrow(RuntimeError);
    expect(() => jvp((t: Tensor) => t, [x], [tensor([1, 2, 3])])).toThrow(/same shape/);
    const [, fn] = vjp((t: Tensor) => t.mul(2), x) as [Tensor, func.VjpFn];
    expect(() => fn(tensor([1, 2, 3]))).toThrow('Mismatch in shape: grad_output[0] has a shape of torch.Size([3]) and output[0] has a shape of torch.Size([2]).');
  });
});

// ---- vmap ------------------------------------------------------------------------------------

/** Counts op calls that reach the backend (below Autograd): a loop shows as one call per sample. */
function countingOps<T>(fn: () => T): [T, Map<string, number>] {
  const counts = new Map<string, number>();
  const layer: Layer = {
    name: 'CountOps',
    priority: 10,
    active: () => true,
    handle: (op, args, next) => {
      counts.set(op.name, (counts.get(op.name) ?? 0) + 1);
      return next(args);
    },
  };
  const remove = registerLayer(layer);
  try {
    return [fn(), counts];
  } finally {
    remove();
  }
}

function perSampleLoop(f: (...a: Tensor[]) => Tensor, args: Tensor[], inDims: Array<number | null>): Tensor {
  const n = args.find((_, i) => inDims[i] !== null)!.shape[inDims.find((d) => d !== null)!]!;
  return stack(Array.from({ length: n }, (_, b) => f(...args.map((a, i) => (inDims[i] === null ? a : a.select(inDims[i]!, b))))));
}

describe('vmap', () => {
  manualSeed(11);
  const X = randn(5, 3, 4, { dtype: 'float64' });
  const Y = randn(5, 4, { dtype: 'float64' });
  const U = randn(4, { dtype: 'float64' });
  const M = randn(2, 3, 4, { dtype: 'float64' });
  const cases: Array<[string, (x: Tensor, y: Tensor) => Tensor]> = [
    ['unary chain', (x) => x.sin().exp().neg().abs().sqrt()],
    ['binary with batched operand of lower rank', (x, y) => x.mul(y).sub(y.div(2))],
    ['binary against an unbatched tensor of higher rank', (_x, y) => y.add(M)],
    ['scalar operands and 0-d batched results', (x) => x.sum().mul(2).add(1).pow(2)],
    ['ternary where/clamp/lerp', (x, y) => x.where(x.gt(0), y).clamp(-0.5, 0.5).lerp(x, 0.25).addcmul(x, y, { value: 0.5 })],
    ['sum/mean/var over dims with keepdim', (x) => x.sum(1, true).add(x.mean(-1, true)).add(x.var(0, true).sum())],
    ['max/min with dim, argmax, amax', (x) => x.max(1).values.add(x.min(-1, true).values.sum()).add(x.argmax(0).to('float64').sum()).add(x.amax([0, 1]))],
    ['full max/median', (x) => x.max().add(x.median())],
    ['softmax/logSoftmax/cumsum/logsumexp', (x) => x.softmax(0).add(x.logSoftmax(-1)).add(x.cumsum(1)).add(x.logsumexp(1, true))],
    ['sort/topk', (x) => x.sort(1).values.narrow(1, 0, 2).add(x.topk(2, 0).values.sum())],
    ['matmul (mm with unbatched, mv, dot)', (x, y) => x.matmul(M.select(0, 0).t()).sum().add(x.matmul(y)).add(y.dot(U))],
    ['matmul both batched (mm) and bmm', (x, y) => x.matmul(x.t()).add(x.unsqueeze(0).expand(2, 3, 4).matmul(y.unsqueeze(-1)).sum())],
    ['views: view/reshape/permute/transpose/narrow/select/unsqueeze/squeeze/flatten/diagonal', (x) =>
      x.view(12).reshape(4, 3).t().narrow(0, 1, 2).unsqueeze(0).squeeze(0).flatten().add(x.diagonal().sum()).add(x.select(1, -1).sum())],
    ['expand and cat/stack with unbatched tensors', (x, y) => stack([y, U]).add(x.select(0, 0).expand(2, 4)).reshape(-1)],
    ['flip/tril/pad', (x) => x.flip([0]).tril().add(x.triu(1))],
    ['to/clone/contiguous/detach', (x) => x.t().contiguous().clone().to('float32').detach().to('float64')],
    ['kthvalue/median/mode/cummax/logcumsumexp/aminmax', (x) =>
      x.kthvalue(2, 1).values.add(x.median(1).values).add(x.cummax(1).values.sum(1)).add(x.logcumsumexp(1).sum(1))
        .add(x.aminmax({ dim: 1 }).max).add(x.mode(0).values.sum()).add(x.cummin(0).values.sum(0).sum())],
    ['std/varMean/norm/prod/countNonzero/nansum', (x) =>
      x.std(1).add(varMean(x, 0)[0]!.sum()).add(x.norm()).add(x.prod(1)).add(x.gt(0).countNonzero(1).to('float64')).add(x.nansum())],
    ['pad/unfold/gather/cat with unbatched parts', (x) =>
      pad(x, [1, 1]).unfold(1, 3, 2).sum(-1).add(x.gather(1, tensor([[0, 3], [1, 1], [2, 0]], { dtype: 'int64' })).sum(1, true)).sum(1)
        .add(cat([x, M.select(0, 0)], 0).sum(1).narrow(0, 0, 3))],
    ['ops without a rule run per sample (gather via index_select, index_add)', (x, y) =>
      x.indexAdd(1, tensor([0, 2], { dtype: 'int64' }), x.narrow(1, 0, 2)).add(y.indexSelect(0, tensor([3, 0, 1, 2], { dtype: 'int64' })))],
  ];
  for (const [name, f] of cases) {
    it(`equals a per-sample loop: ${name}`, () => {
      const got = vmap(f)(X, Y);
      expectClose(got, perSampleLoop(f, [X, Y], [0, 0]), 1e-12);
    });
  }

  it('batches elementwise ops, reductions and matmul without a loop', () => {
    const f = (x: Tensor, y: Tensor) => x.matmul(y).sin().sum(0).add(x.mean()).mul(y.max(0).values.sum());
    const [, counts] = countingOps(() => vmap(f)(X, Y));
    for (const op of ['sin', 'mean', 'mul', 'add', 'max.dim']) expect(counts.get(op), op).toBe(1);
    expect(counts.get('sum')).toBe(2);
    // matmul of [3,4] x [4] per sample is one batched product for all five samples.
    expect(counts.get('select') ?? 0).toBe(0);
    const [, ruleCounts] = countingOps(() => vmap((x: Tensor) => x.indexSelect(0, tensor([1], { dtype: 'int64' })))(X));
    expect(ruleCounts.get('index_select')).toBe(1);
    // index_add has no batching rule: one call per sample.
    const [, loopCounts] = countingOps(() => vmap((x: Tensor) => x.indexAdd(0, tensor([1], { dtype: 'int64' }), x.narrow(0, 0, 1)))(X));
    expect(loopCounts.get('index_add')).toBe(5);
  });

  it('inDims: null, negative dims, arrays of tensors; outDims', () => {
    const f = (x: Tensor, pair: Tensor[], k: Tensor) => x.add(pair[0]!).mul(pair[1]!).add(k);
    const x = randn(3, 5, { dtype: 'float64' });
    const p0 = randn(5, 3, { dtype: 'float64' });
    const p1 = randn(3, { dtype: 'float64' });
    const k = randn(3, { dtype: 'float64' });
    const got = vmap(f, { inDims: [-1, [0, null], null], outDims: 1 })(x, [p0, p1], k) as Tensor;
    const want = stack([0, 1, 2, 3, 4].map((b) => f(x.select(1, b), [p0.select(0, b), p1], k)), 1);
    expectClose(got, want, 1e-12);
    const outs = vmap((a: Tensor) => [a.sum(), a.mul(2)], { outDims: [0, 1] })(x.t()) as Tensor[];
    expect(outs[0]!.shape).toEqual([5]);
    expect(outs[1]!.shape).toEqual([3, 5]);
  });

  it('view of samples of a non-contiguous batch; a view the sample forbids errors', () => {
    const A = randn(5, 13, { dtype: 'float64' }).narrow(1, 0, 12);
    const got = vmap((x: Tensor) => x.view(3, 4).t())(A);
    expectClose(got, perSampleLoop((x) => x.view(3, 4).t(), [A], [0]), 0);
    expect(() => vmap((x: Tensor) => x.view(3, 4).t().view(12))(A)).toThrow(/view size is not compatible/);
  });

  it('in-place ops without a rule write per sample; data-dependent shapes cannot be stacked', () => {
    const x = randn(4, 3, { dtype: 'float64' });
    const mask = x.gt(0);
    const want = x.clone().maskedFill_(mask, 0);
    vmap((t: Tensor, m: Tensor) => t.maskedFill_(m, 0))(x, mask);
    expectClose(x, want, 0);
    expect(() => vmap((t: Tensor) => t.nonzero())(tensor([[1, 0], [1, 1]]))).toThrow(/stack expects each tensor to be equal size/);
  });

  it('expands outputs that do not depend on the mapped inputs', () => {
    const out = vmap((_x: Tensor) => tensor([1, 2]))(randn(3, 2)) as Tensor;
    expect(out.tolist()).toEqual([[1, 2], [1, 2], [1, 2]]);
  });

  it('nested vmap equals a double loop', () => {
    const f = (a: Tensor, b: Tensor) => a.mul(b).sum().add(a.matmul(b));
    const A = randn(2, 3, 4, { dtype: 'float64' });
    const B = randn(3, 4, { dtype: 'float64' });
    const got = vmap(vmap(f, { inDims: [0, 0] }), { inDims: [0, null] })(A, B);
    const want = stack([0, 1].map((i) => stack([0, 1, 2].map((j) => f(A.select(0, i).select(0, j), B.select(0, j))))));
    expectClose(got, want, 1e-12);
  });

  it('in-place ops on batched tensors write through; in-place into an unbatched tensor is an error', () => {
    const x = randn(4, 3, { dtype: 'float64' });
    const copy = x.clone();
    vmap((t: Tensor) => t.mul_(2).add_(1))(x);
    expectClose(x, copy.mul(2).add(1), 1e-12);
    const base = zeros(3, { dtype: 'float64' });
    expect(() => vmap((t: Tensor) => base.add_(t))(x)).toThrow(/vmap: inplace arithmetic/);
    // Writes into a fresh tensor made inside f work.
    const out = vmap((t: Tensor) => zeros(3, { dtype: 'float64' }).add(t).mul_(3))(x) as Tensor;
    expectClose(out, x.mul(3), 1e-12);
  });

  it('gradients flow through vmap to the inputs', () => {
    const w = randn(4, { dtype: 'float64', requiresGrad: true });
    const xs = randn(6, 4, { dtype: 'float64' });
    vmap((x: Tensor) => x.mul(w).sin().sum(), { inDims: 0 })(xs).sum().backward();
    const ref = w.detach().clone().requiresGrad_(true);
    xs.mul(ref).sin().sum().backward();
    expectClose(w.grad, ref.grad!, 1e-12);
  });

  it('custom Functions run per sample under vmap', async () => {
    const { Function } = await import('../src/index.js');
    class Square extends Function {
      static override forward(_ctx: unknown, x: Tensor): Tensor {
        return x.mul(x);
      }
      static override backward(): Tensor {
        throw new Error('unused');
      }
    }
    const x = randn(3, 2, { dtype: 'float64' });
    expectClose(vmap((t: Tensor) => Square.apply(t).sum())(x), x.mul(x).sum(1), 1e-12);
  });

  it('reports vmap errors', () => {
    const f = (a: Tensor, b: Tensor) => a.add(b);
    expect(() => vmap(f)(randn(3), randn(4))).toThrow(/Expected all tensors to have the same size in the mapped dimension, got sizes \[3, 4\]/);
    expect(() => vmap(f, { inDims: [2, 0] })(randn(3), randn(3))).toThrow('so expected in_dim to satisfy -1 <= in_dim < 1.');
    expect(() => vmap(f, { inDims: [0, 0] })(randn(3), 2 as unknown as Tensor)).toThrow(ValueError);
    expect(() => vmap(f, { inDims: null })(randn(3), randn(3))).toThrow(/at least one input must be batched/);
    expect(() => vmap((t: Tensor) => t.sum().item())(randn(3))).toThrow("vmap: It looks like you're calling .item() on a Tensor");
    let escaped: Tensor | null = null;
    vmap((t: Tensor) => {
      escaped = t;
      return t.mul(1);
    })(randn(2, 2));
    // It was freed with the vmap's scope; using it fails instead of computing on one sample.
    expect(() => escaped!.add(1)).toThrow();
  });

  it('frees its intermediates: memory is flat across calls', () => {
    const W = randn(4, 2, { dtype: 'float64' });
    const f = (x: Tensor) => x.matmul(W).tanh().sum(-1).add(x.indexSelect(0, tensor([0], { dtype: 'int64' })).sum());
    const input = X.select(1, 0);
    const before = memory().liveTensors;
    for (let i = 0; i < 5; i++) vmap(f)(input).dispose();
    expect(memory().liveTensors).toBe(before);
  });

  it('works inside autograd.grad over vmapped computations (per-sample Jacobian rows)', () => {
    const x = randn(3, { dtype: 'float64', requiresGrad: true });
    const ys = vmap((v: Tensor) => v.mul(x).sum())(randn(4, 3, { dtype: 'float64' }));
    const [g] = autogradGrad(ys.sum(), x);
    expect(g!.shape).toEqual([3]);
  });
});
