import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import '@torchts/backend-cpu';
import { gradcheck, noGrad } from '@torchts/autograd';
import * as torch from '@torchts/core';
import { Tensor } from '@torchts/core';
import * as nn from '../src/index.js';
import { close, f64, ramp } from './fixture-helpers.js';

const PZ = nn.utils.parametrizations;
const C = JSON.parse(readFileSync(new URL('./fixtures/nn_orthogonal.json', import.meta.url), 'utf8')).cases;
type Plist = nn.parametrize.ParametrizationList;
const plist = (m: nn.Module): Plist => (m as unknown as { parametrizations: nn.ModuleDict }).parametrizations.get('weight') as Plist;


describe('matrixExp, geqrf, householderProduct vs PyTorch 1.13', () => {
  it('matrixExp values and gradients (batched, large norms, zero)', () =>
    torch.tidy(() => {
      for (const c of C.matrixExp) {
        const a = f64(c.a).requiresGrad_();
        const y = torch.matrixExp(a);
        close(y, c.out, 1e-12);
        y.backward(ramp(y));
        close(a.grad!, c.grad, 1e-11);
      }
      const a = torch.randn([3, 3], { dtype: 'float64' }).mul(2).requiresGrad_();
      expect(gradcheck((x: Tensor) => torch.matrixExp(x), [a])).toBe(true);
      expect(() => torch.matrixExp(torch.zeros([2, 3]))).toThrow('linalg.matrix_exp: A must be batches of square matrices, but they are 2 by 3 matrices');
    }));

  it('solve values and gradients (vector case, broadcasting, pivoting), gradcheck, singular', () =>
    torch.tidy(() => {
      for (const c of C.solve) {
        const a = f64(c.a).requiresGrad_();
        const b = f64(c.b).requiresGrad_();
        const x = torch.solve(a, b);
        close(x, c.out, 1e-11);
        x.backward(ramp(x));
        close(a.grad!, c.gradA, 1e-10);
        close(b.grad!, c.gradB, 1e-10);
      }
      const a = torch.randn([3, 3], { dtype: 'float64' }).add(torch.eye(3, { dtype: 'float64' }).mul(2)).requiresGrad_();
      const b = torch.randn([3, 2], { dtype: 'float64' }).requiresGrad_();
      expect(gradcheck((x: Tensor, y: Tensor) => torch.solve(x, y), [a, b])).toBe(true);
      expect(() => torch.solve(torch.zeros([2, 2], { dtype: 'float64' }), torch.ones([2], { dtype: 'float64' }))).toThrow('torch.linalg.solve: The solver failed because the input matrix is singular.');
      expect(() => torch.solve(torch.eye(2), torch.ones([3]))).toThrow('linalg.solve: Incompatible shapes of A and B for the equation AX = B (2x2 and 3x1)');
    }));

  it('geqrf in LAPACK form', () =>
    torch.tidy(() => {
      for (const c of C.geqrf) {
        const [x, tau] = torch.geqrf(f64(c.a));
        close(x, c.x, 1e-12);
        close(tau, c.tau, 1e-12);
      }
    }));

  it('householderProduct values, gradients, gradcheck', () =>
    torch.tidy(() => {
      for (const c of C.householderProduct) {
        const a = f64(c.a).requiresGrad_();
        const tau = f64(c.tau).requiresGrad_();
        const q = torch.householderProduct(a, tau);
        close(q, c.out, 1e-12);
        q.backward(ramp(q));
        close(a.grad!, c.gradA, 1e-11);
        close(tau.grad!, c.gradTau, 1e-11);
      }
      const a = torch.randn([4, 3], { dtype: 'float64' }).requiresGrad_();
      const tau = torch.rand([2], { dtype: 'float64' }).requiresGrad_();
      expect(gradcheck((x: Tensor, t: Tensor) => torch.householderProduct(x, t), [a, tau])).toBe(true);
      expect(() => torch.householderProduct(torch.zeros([2, 3]), torch.zeros([2]))).toThrow('input.shape[-2] must be greater than or equal to input.shape[-1]');
    }));
});

describe('linalg ops and parametrizations leave no tensors behind', () => {
  it('core ops (in and out of tidy) and each map through Module.call', () => {
    const live = (): number => torch.memory().liveTensors;
    const a = torch.randn([2, 4, 3], { dtype: 'float64' });
    const tau = torch.rand([2, 3], { dtype: 'float64' });
    const sq = torch.randn([2, 3, 3], { dtype: 'float64' }).mul(3);
    const b = torch.randn([2, 3], { dtype: 'float64' });
    const ops: Array<[string, () => unknown]> = [
      ['geqrf', () => torch.geqrf(a)], ['householderProduct', () => torch.householderProduct(a, tau)],
      ['matrixExp', () => torch.matrixExp(sq)], ['solve', () => torch.solve(sq, b)],
    ];
    for (const [name, f] of ops) {
      const before = live();
      torch.tidy(() => { f(); });
      torch.dispose(f());
      expect(live(), name).toBe(before);
    }
    const x = torch.randn([2, 4]);
    const factories: Array<[string, () => nn.Linear]> = [
      ['matrix_exp', () => PZ.orthogonal(new nn.Linear(4, 4), 'weight', { orthogonalMap: 'matrix_exp' })],
      ['cayley', () => PZ.orthogonal(new nn.Linear(4, 3), 'weight', { orthogonalMap: 'cayley' })],
      ['householder', () => PZ.orthogonal(new nn.Linear(4, 3), 'weight', { orthogonalMap: 'householder', useTrivialization: false })],
      ['spectralNorm', () => PZ.spectralNorm(new nn.Linear(4, 3))],
      ['weightNorm', () => PZ.weightNorm(new nn.Linear(4, 3))],
    ];
    for (const [name, make] of factories) {
      const start = live();
      const lin = make();
      const before = live();
      noGrad(() => lin.call(x)).dispose();
      torch.tidy(() => lin.call(x).sum().backward());
      lin.zeroGrad();
      expect(live(), name).toBe(before);
      nn.utils.parametrize.removeParametrizations(lin, 'weight');
      lin.dispose();
      expect(live(), `${name}: registration and removal`).toBe(start);
    }
    torch.dispose([a, tau, sq, b, x]);
  });
});

describe('parametrizations.orthogonal vs PyTorch 1.13', () => {
  for (const c of C.orthogonal) {
    it(`Linear(${c.in}, ${c.out}) map=${c.map} useTrivialization=${c.triv}: registration, 2 SGD steps`, () =>
      torch.tidy(() => {
        const lin = new nn.Linear(c.in, c.out, { dtype: 'float64' });
        lin.loadStateDict({ weight: f64(c.weight), bias: f64(c.bias) });
        PZ.orthogonal(lin, 'weight', { orthogonalMap: c.map, useTrivialization: c.triv });
        expect(lin.toString()).toBe(c.repr);
        expect([...lin.stateDict().keys()]).toEqual(c.keys);
        // Deterministic starts (no random completion of a non-square base) must equal PyTorch's.
        if (!(c.triv && c.in !== c.out)) for (const [k, v] of lin.stateDict()) close(v, c.start[k], 1e-11);
        lin.loadStateDict(new Map(Object.entries(c.start as Record<string, unknown>).map(([k, v]) => [k, f64(v)])));
        const x = f64(c.x);
        for (const s of c.steps) {
          lin.zeroGrad();
          const y = lin.call(x);
          close(y, s.out, 1e-10);
          close(lin.weight, s.weight, 1e-10);
          y.backward(ramp(y));
          close(plist(lin).original.grad!, s.origGrad, 1e-9);
          noGrad(() => { for (const p of lin.parameters()) p.sub_(p.grad!.mul(0.1)); });
        }
        // Still orthogonal after the steps.
        const w = lin.weight;
        const wide = w.shape[0]! < w.shape[1]!;
        const gram = wide ? w.matmul(w.mT) : w.mT.matmul(w);
        expect(gram.allclose(torch.eye(gram.shape[0]!, { dtype: 'float64' }), { atol: 1e-10 })).toBe(true);
      }));
  }

  it('gradcheck through each map, bad input errors', () =>
    torch.tidy(() => {
      const w = torch.randn([4, 3], { dtype: 'float64' });
      for (const map of ['matrix_exp', 'householder', 'cayley'] as const) {
        const p = new PZ._Orthogonal(w, map, { useTrivialization: false });
        expect(gradcheck((x: Tensor) => p.forward(x), [torch.randn([4, 3], { dtype: 'float64' }).requiresGrad_()])).toBe(true);
      }
      expect(() => PZ.orthogonal(new nn.Linear(3, 3), 'bias')).toThrow('Expected a matrix or batch of matrices. Got a tensor of 1 dimensions.');
      expect(() => PZ.orthogonal(new nn.Linear(3, 3), 'weight', { orthogonalMap: 'qr' as never })).toThrow(/orthogonal_map has to be one of/);
    }));
});
