/** Replays optim.json (written by fixtures/gen_optim.py from PyTorch 1.13): 20 steps of each optimizer. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import '@torchts/backend-cpu';
import '@torchts/autograd';
import { Tensor, keep, tensor, tidy, noGradHelper } from './helpers.js';
import * as optim from '../src/index.js';

interface Encoded {
  tensor: number[];
  shape: number[];
  dtype: string;
}
interface Case {
  optim: string;
  options: Record<string, unknown>;
  groups: Array<{ params: number[]; options: Record<string, unknown> }> | null;
  dtype: 'float32' | 'float64';
  history: number[][][];
  state_dict: { state: Record<string, Record<string, unknown>>; param_groups: Array<Record<string, unknown>> };
}
const fixture = JSON.parse(readFileSync(new URL('./fixtures/optim.json', import.meta.url), 'utf8')) as {
  init: number[][];
  shapes: number[][];
  noise: number[][][];
  cases: Case[];
};

type Ctor = new (params: optim.Params, options: Record<string, unknown>) => optim.Optimizer;

function close(actual: number[], expected: number[], rtol: number, atol: number): void {
  expect(actual.length).toBe(expected.length);
  actual.forEach((a, i) => {
    const e = expected[i]!;
    if (Math.abs(a - e) > atol + rtol * Math.abs(e)) expect.fail(`element ${i}: ${a} vs ${e}`);
  });
}

function flat(t: Tensor): number[] {
  return (t.reshape(-1).tolist() as number[]).map(Number);
}

/** A PyTorch state dict from its JSON encoding (tensors as {tensor, shape, dtype}). */
function decode(sd: Case['state_dict']): optim.OptimizerStateDict {
  const state: optim.OptimizerStateDict['state'] = {};
  for (const [i, s] of Object.entries(sd.state)) {
    state[Number(i)] = Object.fromEntries(
      Object.entries(s).map(([k, v]) => {
        if (v === null || typeof v !== 'object') return [k, v as optim.StateValue];
        const e = v as Encoded;
        return [k, tensor(e.tensor, { dtype: e.dtype as 'float32' }).reshape(e.shape)];
      }),
    );
  }
  return { state, param_groups: sd.param_groups as optim.OptimizerStateDict['param_groups'] };
}

function label(c: Case): string {
  return `${c.optim}(${JSON.stringify(c.options)})${c.groups ? ' groups' : ''} ${c.dtype}`;
}

describe('optimizers match PyTorch 1.13 over 20 steps', () => {
  for (const c of fixture.cases) {
    it(label(c), () => {
      tidy(() => {
        // float32 bit for bit: alphas cast to float, addcmul/addcdiv rounded per step as PyTorch's kernels do.
        const [rtol, atol] = c.dtype === 'float64' ? [1e-10, 1e-12] : [0, 0];
        const params = fixture.init.map((v, i) => tensor(v, { dtype: c.dtype }).reshape(fixture.shapes[i]!).requiresGrad_());
        const Cls = (optim as unknown as Record<string, Ctor>)[c.optim]!;
        const opt = c.groups
          ? new Cls(c.groups.map((g) => ({ params: g.params.map((i) => params[i]!), ...g.options })), c.options)
          : new Cls(params, c.options);
        c.history.forEach((expected, k) => {
          tidy(() => {
            noGradHelper(() => {
              params.forEach((p, i) => {
                p.grad?.dispose();
                const noise = tensor(fixture.noise[k]![i]!, { dtype: 'float64' }).reshape(fixture.shapes[i]!).to(c.dtype);
                p.grad = keep(p.detach().mul(0.3).add(noise));
              });
            });
          });
          opt.step();
          params.forEach((p, i) => close(flat(p), expected[i]!, rtol, atol));
        });
        // The state dict has PyTorch's layout, key names and values.
        const sd = opt.stateDict();
        expect(sd.param_groups.map((g) => g.params)).toEqual(c.state_dict.param_groups.map((g) => g.params));
        sd.param_groups.forEach((g, gi) => {
          const want = c.state_dict.param_groups[gi]!;
          for (const [k, v] of Object.entries(g)) {
            expect(want, `param_groups key ${k}`).toHaveProperty(k);
            expect(v, k).toEqual(want[k]);
          }
        });
        expect(Object.keys(sd.state)).toEqual(Object.keys(c.state_dict.state));
        for (const [i, s] of Object.entries(c.state_dict.state)) {
          const mine = sd.state[Number(i)]!;
          expect(Object.keys(mine)).toEqual(Object.keys(s));
          for (const [k, v] of Object.entries(s)) {
            const m = mine[k];
            if (v !== null && typeof v === 'object') {
              const e = v as Encoded;
              expect(m).toBeInstanceOf(Tensor);
              expect((m as Tensor).dtype).toBe(e.dtype);
              expect((m as Tensor).shape).toEqual(e.shape);
              close(flat(m as Tensor), e.tensor, c.dtype === 'float64' && e.dtype === 'float64' ? 1e-9 : 2e-5, 1e-9);
            } else {
              expect(m).toEqual(v);
            }
          }
        }
        // PyTorch's own state dict loads: the same options and state come back out.
        const fresh = c.groups
          ? new Cls(c.groups.map((g) => ({ params: g.params.map((i) => params[i]!), ...g.options })), c.options)
          : new Cls(params, c.options);
        fresh.loadStateDict(decode(c.state_dict));
        const again = fresh.stateDict();
        again.param_groups.forEach((g, gi) => expect(g).toEqual(expect.objectContaining(sd.param_groups[gi]!)));
        for (const [i, s] of Object.entries(c.state_dict.state)) {
          for (const [k, v] of Object.entries(s)) {
            const w = again.state[Number(i)]![k];
            if (v !== null && typeof v === 'object') expect(flat(w as Tensor)).toEqual((v as Encoded).tensor);
            else expect(w).toEqual(v);
          }
        }
        fresh.dispose();
        opt.dispose();
        params.forEach((p) => p.grad?.dispose());
      });
    });
  }
});
