import { describe, expect, it } from 'vitest';
import '@torchts/backend-cpu';
import '@torchts/autograd';
import { randn, zeros, ones, Tensor } from '@torchts/core';
import { Module, Parameter } from '../src/index.js';

class Affine extends Module {
  weight: Tensor;
  bias: Tensor;
  constructor(n: number) {
    super();
    this.weight = Parameter(randn(n));
    this.bias = Parameter(zeros(n));
    this.registerBuffer('running', ones(n));
  }
  forward(x: Tensor): Tensor {
    return x.mul(this.weight).add(this.bias);
  }
}
class Net extends Module {
  a = new Affine(3);
  b = new Affine(3);
  forward(x: Tensor): Tensor {
    return this.b.call(this.a.call(x));
  }
}

describe('Module', () => {
  it('registers parameters, submodules and buffers by assignment with dotted names', () => {
    const net = new Net();
    expect([...net.namedParameters()].map(([k]) => k)).toEqual(['a.weight', 'a.bias', 'b.weight', 'b.bias']);
    expect([...net.namedBuffers()].map(([k]) => k)).toEqual(['a.running', 'b.running']);
    expect([...net.stateDict().keys()]).toEqual(['a.weight', 'a.bias', 'a.running', 'b.weight', 'b.bias', 'b.running']);
    expect([...net.namedModules()].map(([k]) => k)).toEqual(['', 'a', 'b']);
  });
  it('trains: gradients reach parameters; train/eval flags; zeroGrad', () => {
    const net = new Net();
    net.call(ones(3)).sum().backward();
    for (const p of net.parameters()) expect(p.grad).not.toBe(null);
    net.zeroGrad();
    for (const p of net.parameters()) expect(p.grad).toBe(null);
    net.eval();
    expect(net.a.training).toBe(false);
  });
  it('loads state dicts strictly and reports missing/unexpected keys', () => {
    const a = new Net();
    const b = new Net();
    b.loadStateDict(a.stateDict());
    expect(b.a.weight.tolist()).toEqual(a.a.weight.tolist());
    const sd = a.stateDict();
    sd.delete('a.bias');
    sd.set('extra', zeros(1));
    expect(() => b.loadStateDict(sd)).toThrow(/Unexpected key\(s\) in state_dict: "extra"[\s\S]*Missing key\(s\) in state_dict: "a.bias"/);
    expect(b.loadStateDict(sd, { strict: false })).toEqual({ missingKeys: ['a.bias'], unexpectedKeys: ['extra'] });
  });
});

describe('Module.to', () => {
  it('casts parameters and buffers in place, keeping the same parameter objects', async () => {
    const { memory } = await import('@torchts/core');
    const net = new Net();
    const w = net.a.weight;
    const before = memory().liveTensors;
    net.to('float64');
    expect(net.a.weight).toBe(w);
    expect(w.dtype).toBe('float64');
    expect((net.a as unknown as { running: Tensor }).running.dtype).toBe('float64');
    expect(memory().liveTensors).toBe(before);
    net.call(ones(3, { dtype: 'float64' })).sum().backward();
    expect(w.grad!.dtype).toBe('float64');
  });
});
