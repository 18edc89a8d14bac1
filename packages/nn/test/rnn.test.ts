import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import '@torchts/backend-cpu';
import { noGrad } from '@torchts/autograd';
import * as torch from '@torchts/core';
import { Tensor } from '@torchts/core';
import * as nn from '../src/index.js';

interface Enc { shape: number[]; data: number[] }
interface LayerCase {
  label: string;
  cls: 'RNN' | 'LSTM' | 'GRU' | 'RNNCell' | 'LSTMCell' | 'GRUCell';
  inputSize: number;
  hiddenSize: number;
  options: Record<string, unknown>;
  params: Record<string, Enc>;
  paramGrads: Record<string, Enc>;
  input: Enc;
  inputGrad: Enc;
  out?: Enc;
  hN: Enc;
  cN?: Enc;
  h0?: Enc;
  h0Grad?: Enc;
  c0?: Enc;
  c0Grad?: Enc;
  lengths?: number[];
  enforceSorted?: boolean;
  packedData?: Enc;
  outLengths?: number[];
  repr: string;
}
const fx = JSON.parse(readFileSync(new URL('./fixtures/nn_rnn.json', import.meta.url), 'utf8')) as {
  layers: LayerCase[];
  cells: LayerCase[];
  pad: Record<string, unknown>;
};

const dec = (e: Enc, requiresGrad = false): Tensor => {
  const t = torch.tensor(e.data, { dtype: 'float64' }).reshape(e.shape);
  return requiresGrad ? t.requiresGrad_(true) : t;
};
const weightsLike = (t: Tensor): Tensor =>
  t.numel() > 1 ? torch.linspace(-1, 1, t.numel(), { dtype: 'float64' }).reshape([...t.shape]) : torch.ones([...t.shape], { dtype: 'float64' });

function expectClose(actual: Tensor | null | undefined, expected: Enc, what: string, tol = 1e-10): void {
  expect(actual, what).toBeTruthy();
  expect([...actual!.shape], `${what} shape`).toEqual(expected.shape);
  const a = (actual!.contiguous().reshape([-1]).tolist() as number[]);
  a.forEach((v, i) => expect(Math.abs(v - expected.data[i]!), `${what}[${i}]: ${v} vs ${expected.data[i]}`).toBeLessThan(tol));
}

type AnyModule = nn.Module & Record<string, unknown>;
const ctor = nn as unknown as Record<string, new (i: number, h: number, o: Record<string, unknown>) => AnyModule>;

/** Builds the module in float64 and loads the fixture's parameters (checks names and shapes match PyTorch's). */
function build(c: LayerCase): AnyModule {
  const m = new ctor[c.cls]!(c.inputSize, c.hiddenSize, { ...c.options, dtype: 'float64' });
  const names = [...m.namedParameters()].map(([n]) => n);
  expect(names).toEqual(Object.keys(c.params));
  for (const [n, p] of m.namedParameters()) {
    expect([...p.shape]).toEqual(c.params[n]!.shape);
    noGrad(() => p.copy_(dec(c.params[n]!)));
  }
  return m;
}

function checkParamGrads(m: AnyModule, c: LayerCase): void {
  for (const [n, p] of m.namedParameters()) expectClose(p.grad, c.paramGrads[n]!, `grad ${n}`, 1e-9);
}

describe('recurrent layers vs PyTorch', () => {
  for (const c of fx.layers) {
    it(c.label, () => {
      torch.tidy(() => {
        const m = build(c);
        expect(m.toString()).toBe(c.repr);
        const x = dec(c.input, true);
        const h0 = c.h0 ? dec(c.h0, true) : null;
        const c0 = c.c0 ? dec(c.c0, true) : null;
        const batchFirst = Boolean(c.options.batchFirst);
        const inp = c.lengths
          ? nn.packPaddedSequence(x, c.lengths, { batchFirst, enforceSorted: c.enforceSorted })
          : x;
        const state = h0 ? (c.cls === 'LSTM' ? [h0, c0] : h0) : null;
        const [rawOut, hidden] = (m as unknown as { call(...a: unknown[]): [Tensor | nn.PackedSequence, Tensor | [Tensor, Tensor]] }).call(inp, state);
        const [hN, cN] = c.cls === 'LSTM' ? (hidden as [Tensor, Tensor]) : [hidden as Tensor, null];
        let out: Tensor;
        if (rawOut instanceof nn.PackedSequence) {
          expectClose(rawOut.data, c.packedData!, 'packed output data');
          const [padded, lens] = nn.padPackedSequence(rawOut, { batchFirst });
          expect(lens.tolist()).toEqual(c.outLengths);
          expect(lens.dtype).toBe('int64');
          out = padded;
        } else out = rawOut;
        expectClose(out, c.out!, 'output');
        expectClose(hN, c.hN, 'h_n');
        if (c.cN) expectClose(cN, c.cN, 'c_n');
        let loss = out.mul(weightsLike(out)).sum().add(hN.mul(weightsLike(hN)).sum());
        if (cN) loss = loss.add(cN.mul(weightsLike(cN)).sum());
        loss.backward();
        expectClose(x.grad, c.inputGrad, 'input grad', 1e-9);
        if (c.h0Grad) expectClose(h0!.grad, c.h0Grad, 'h0 grad', 1e-9);
        if (c.c0Grad) expectClose(c0!.grad, c.c0Grad, 'c0 grad', 1e-9);
        checkParamGrads(m, c);
      });
    });
  }
});

describe('recurrent cells vs PyTorch', () => {
  for (const c of fx.cells) {
    it(c.label, () => {
      torch.tidy(() => {
        const m = build(c);
        expect(m.toString()).toBe(c.repr);
        const x = dec(c.input, true);
        const h0 = dec(c.h0!, true);
        const call = (m as unknown as { call(...a: unknown[]): unknown }).call.bind(m);
        if (c.cls === 'LSTMCell') {
          const c0 = dec(c.c0!, true);
          const [h, cc] = call(x, [h0, c0]) as [Tensor, Tensor];
          expectClose(h, c.hN, 'h');
          expectClose(cc, c.cN!, 'c');
          h.mul(weightsLike(h)).sum().add(cc.mul(weightsLike(cc)).sum()).backward();
          expectClose(c0.grad, c.c0Grad!, 'c0 grad', 1e-9);
        } else {
          const h = call(x, h0) as Tensor;
          expectClose(h, c.hN, 'h');
          h.mul(weightsLike(h)).sum().backward();
        }
        expectClose(x.grad, c.inputGrad, 'input grad', 1e-9);
        expectClose(h0.grad, c.h0Grad!, 'h0 grad', 1e-9);
        checkParamGrads(m, c);
      });
    });
  }

  it('cells default the state to zeros', () => {
    torch.tidy(() => {
      const cell = new nn.GRUCell(3, 2);
      const x = torch.randn([4, 3]);
      const a = cell.call(x);
      const b = cell.call(x, torch.zeros([4, 2]));
      expect(a.sub(b).abs().max().item()).toBe(0);
      const [h, c] = new nn.LSTMCell(3, 2).call(x);
      expect([...h.shape]).toEqual([4, 2]);
      expect([...c.shape]).toEqual([4, 2]);
    });
  });
});

describe('padding utilities vs PyTorch', () => {
  const p = fx.pad as Record<string, Enc & number[]> & { seqs: Enc[] };
  it('padSequence, packPaddedSequence (unsorted), padPackedSequence (batchFirst, paddingValue, totalLength)', () => {
    torch.tidy(() => {
      const seqs = p.seqs.map((s) => dec(s));
      expectClose(nn.padSequence(seqs), p.padded as Enc, 'padded');
      expectClose(nn.padSequence(seqs, { batchFirst: true, paddingValue: -1 }), p.paddedBatchFirst as Enc, 'padded batch first');
      const packed = nn.packPaddedSequence(nn.padSequence(seqs), [3, 5, 1], { enforceSorted: false });
      expectClose(packed.data, p.packedData as Enc, 'packed data');
      expect(packed.batchSizes.tolist()).toEqual(p.batchSizes);
      expect(packed.sortedIndices!.tolist()).toEqual(p.sortedIndices);
      expect(packed.unsortedIndices!.tolist()).toEqual(p.unsortedIndices);
      const [u, lens] = nn.padPackedSequence(packed, { batchFirst: true, paddingValue: 7, totalLength: 6 });
      expectClose(u, p.unpacked as Enc, 'unpacked');
      expect(lens.tolist()).toEqual(p.unpackedLengths);
      const viaPack = nn.packSequence(seqs, { enforceSorted: false });
      expectClose(viaPack.data, p.packedData as Enc, 'packSequence data');
    });
  });

  it('errors like PyTorch', () => {
    torch.tidy(() => {
      const x = torch.zeros([4, 3, 2]);
      expect(() => nn.packPaddedSequence(x, [2, 4, 1])).toThrow('`lengths` array must be sorted in decreasing order when `enforce_sorted` is True');
      expect(() => nn.packPaddedSequence(x, [4, 2, 0])).toThrow("Length of all samples has to be greater than 0");
      const packed = nn.packPaddedSequence(x, [4, 2, 1]);
      expect(() => nn.padPackedSequence(packed, { totalLength: 3 })).toThrow(
        'Expected total_length to be at least the length of the longest sequence in input, but got total_length=3 and max sequence length being 4',
      );
      expect(() => new nn.GRU(3, 4, { projSize: 2 })).toThrow('proj_size argument is only supported for LSTM');
      expect(() => new nn.LSTM(3, 4, { projSize: 4 })).toThrow('proj_size has to be smaller than hidden_size');
      const rnn = new nn.RNN(2, 3);
      expect(() => rnn.call(torch.zeros([4, 3, 5]))).toThrow('input.size(-1) must be equal to input_size. Expected 2, got 5');
      expect(() => rnn.call(torch.zeros([4, 3, 2]), torch.zeros([2, 3, 3]))).toThrow('Expected hidden size (1, 3, 3), got [2, 3, 3]');
    });
  });
});

describe('recurrent layers: init, dropout, memory', () => {
  it('default init is U(-1/sqrt(hidden), 1/sqrt(hidden)) for every parameter, with PyTorch names', () => {
    torch.tidy(() => {
      const lstm = new nn.LSTM(3, 16, { numLayers: 2, bidirectional: true, projSize: 4 });
      const names = [...lstm.namedParameters()].map(([n]) => n);
      expect(names.slice(0, 10)).toEqual([
        'weight_ih_l0', 'weight_hh_l0', 'bias_ih_l0', 'bias_hh_l0', 'weight_hr_l0',
        'weight_ih_l0_reverse', 'weight_hh_l0_reverse', 'bias_ih_l0_reverse', 'bias_hh_l0_reverse', 'weight_hr_l0_reverse',
      ]);
      expect(names.length).toBe(20);
      expect([...(lstm as unknown as Record<string, Tensor>).weight_ih_l1!.shape]).toEqual([64, 8]);
      for (const p of lstm.parameters()) {
        expect(p.abs().max().item()).toBeLessThanOrEqual(0.25);
        expect(p.abs().max().item()).toBeGreaterThan(0.1);
      }
    });
  });

  it('dropout acts between layers in training only', () => {
    torch.tidy(() => {
      const gru = new nn.GRU(3, 4, { numLayers: 2, dropout: 0.5 });
      const x = torch.randn([5, 2, 3]);
      gru.eval();
      const [a] = gru.call(x);
      const [b] = gru.call(x);
      expect(a.sub(b).abs().max().item()).toBe(0);
      gru.train();
      torch.manualSeed(1);
      const [c] = gru.call(x);
      expect(c.sub(a).abs().max().item()).toBeGreaterThan(0);
    });
  });

  it('frees its temporaries (tidy leaves only what it returns)', () => {
    const lstm = new nn.LSTM(3, 4, { numLayers: 2, bidirectional: true, batchFirst: true, projSize: 2 });
    const gru = new nn.GRU(3, 4, { numLayers: 2, bidirectional: true });
    const x = torch.randn([3, 5, 3]);
    const before = torch.memory().liveTensors;
    torch.tidy(() => {
      const [out, [h, c]] = lstm.call(x);
      out.sum().add(h.sum()).add(c.sum()).backward();
      const packed = nn.packPaddedSequence(x, [2, 5, 3], { batchFirst: true, enforceSorted: false });
      const [pout, hn] = gru.call(packed);
      nn.padPackedSequence(pout)[0].sum().add(hn.sum()).backward();
    });
    for (const p of [...lstm.parameters(), ...gru.parameters()]) {
      p.grad?.dispose();
      p.grad = null;
    }
    expect(torch.memory().liveTensors).toBe(before);
    // Without an enclosing tidy, only the results stay alive (under noGrad: no graph holds saved tensors).
    const xt = x.transpose(0, 1);
    const start = torch.memory().liveTensors;
    const [out, h] = noGrad(() => gru.call(xt));
    expect(torch.memory().liveTensors).toBe(start + 2);
    out.dispose();
    h.dispose();
    // With grad, disposing the results frees the graph they held.
    const [out2, h2] = gru.call(xt);
    out2.dispose();
    h2.dispose();
    xt.dispose();
    expect(torch.memory().liveTensors).toBe(before);
  });
});
