/**
 * Recurrent cells (one time step) composed of matmul/sigmoid/tanh, and the multi-layer,
 * optionally bidirectional loop used by nn.RNN / nn.LSTM / nn.GRU. Everything is a composite of
 * differentiable ops, so autograd comes for free. Gate orders follow PyTorch: LSTM (i, f, g, o),
 * GRU (r, z, n).
 */
import * as core from '@torchts/core';
import { RuntimeError, Tensor } from '@torchts/core';
import { dropout } from './dropout.js';

/** x W^T (+ b), for 2-D x. */
function affine(x: Tensor, w: Tensor, b: Tensor | null): Tensor {
  return core.tidy(() => {
    const y = core.matmul(x, w.t());
    return b ? y.add(b) : y;
  });
}

/** h' = act(x W_ih^T + b_ih + h W_hh^T + b_hh), act = tanh or relu. */
export function rnnCell(
  input: Tensor, hx: Tensor, wIh: Tensor, wHh: Tensor, bIh: Tensor | null = null, bHh: Tensor | null = null,
  nonlinearity: 'tanh' | 'relu' = 'tanh',
): Tensor {
  return core.tidy(() => {
    const pre = affine(input, wIh, bIh).add(affine(hx, wHh, bHh));
    return nonlinearity === 'tanh' ? core.tanh(pre) : core.relu(pre);
  });
}

export function rnnTanhCell(input: Tensor, hx: Tensor, wIh: Tensor, wHh: Tensor, bIh: Tensor | null = null, bHh: Tensor | null = null): Tensor {
  return rnnCell(input, hx, wIh, wHh, bIh, bHh, 'tanh');
}

export function rnnReluCell(input: Tensor, hx: Tensor, wIh: Tensor, wHh: Tensor, bIh: Tensor | null = null, bHh: Tensor | null = null): Tensor {
  return rnnCell(input, hx, wIh, wHh, bIh, bHh, 'relu');
}

/** One LSTM step: returns [h', c']; with wHr (projection) h' = (o * tanh(c')) W_hr^T. */
export function lstmCell(
  input: Tensor, hx: [Tensor, Tensor], wIh: Tensor, wHh: Tensor, bIh: Tensor | null = null, bHh: Tensor | null = null,
  wHr: Tensor | null = null,
): [Tensor, Tensor] {
  const [h, c] = hx;
  return core.tidy(() => {
    const gates = affine(input, wIh, bIh).add(affine(h, wHh, bHh));
    const H = gates.shape[1]! / 4;
    const i = core.sigmoid(gates.narrow(1, 0, H));
    const f = core.sigmoid(gates.narrow(1, H, H));
    const g = core.tanh(gates.narrow(1, 2 * H, H));
    const o = core.sigmoid(gates.narrow(1, 3 * H, H));
    const c2 = f.mul(c).add(i.mul(g));
    let h2 = o.mul(core.tanh(c2));
    if (wHr) h2 = core.matmul(h2, wHr.t());
    return [h2, c2] as [Tensor, Tensor];
  });
}

/** One GRU step: n = tanh(i_n + r * (h W_hn^T + b_hn)), h' = (1 - z) n + z h. */
export function gruCell(
  input: Tensor, hx: Tensor, wIh: Tensor, wHh: Tensor, bIh: Tensor | null = null, bHh: Tensor | null = null,
): Tensor {
  return core.tidy(() => {
    const gi = affine(input, wIh, bIh);
    const gh = affine(hx, wHh, bHh);
    const H = gi.shape[1]! / 3;
    const r = core.sigmoid(gi.narrow(1, 0, H).add(gh.narrow(1, 0, H)));
    const z = core.sigmoid(gi.narrow(1, H, H).add(gh.narrow(1, H, H)));
    const n = core.tanh(gi.narrow(1, 2 * H, H).add(r.mul(gh.narrow(1, 2 * H, H))));
    // (1 - z) n + z h  ==  n + z (h - n)
    return n.add(z.mul(hx.sub(n)));
  });
}

export type RnnMode = 'RNN_TANH' | 'RNN_RELU' | 'LSTM' | 'GRU';

/** Weights of one layer and direction, in PyTorch's flat order (w_ih, w_hh, b_ih, b_hh, w_hr). */
export interface RnnLayerWeights {
  wIh: Tensor;
  wHh: Tensor;
  bIh: Tensor | null;
  bHh: Tensor | null;
  wHr: Tensor | null;
}

export interface RnnLoopOptions {
  mode: RnnMode;
  numLayers: number;
  bidirectional: boolean;
  dropout: number;
  training: boolean;
}

/**
 * Runs the stacked recurrence over time-major steps. `steps[t]` holds the rows of the batch still
 * active at step t ([batchSizes[t], features], batchSizes non-increasing, as in a PackedSequence;
 * an ordinary batch has every row active at every step). Rows whose sequence has ended keep their
 * state, so the final state of each row is its state after its own last step; the reverse direction
 * starts each row from the initial state at that row's last step.
 * `h0` is [numLayers * dirs, B, Hout]; `c0` ([numLayers * dirs, B, H]) only for LSTM.
 * Returns per-step outputs of the last layer and the final states.
 */
export function rnnLoop(
  steps: Tensor[], weights: RnnLayerWeights[], h0: Tensor, c0: Tensor | null, opts: RnnLoopOptions,
): { outputs: Tensor[]; hN: Tensor; cN: Tensor | null } {
  const dirs = opts.bidirectional ? 2 : 1;
  if (weights.length !== opts.numLayers * dirs) throw new RuntimeError('rnn: wrong number of weight sets');
  return core.tidy(() => {
    let layerIn = steps;
    const hFinal: Tensor[] = [];
    const cFinal: Tensor[] = [];
    for (let layer = 0; layer < opts.numLayers; layer++) {
      const dirOutputs: Tensor[][] = [];
      for (let d = 0; d < dirs; d++) {
        const idx = layer * dirs + d;
        const w = weights[idx]!;
        let h = h0.select(0, idx);
        let c = c0 ? c0.select(0, idx) : null;
        const outs: Tensor[] = new Array<Tensor>(layerIn.length);
        const order = [...layerIn.keys()];
        if (d === 1) order.reverse();
        for (const t of order) {
          const x = layerIn[t]!;
          const bs = x.shape[0]!;
          const full = bs === h.shape[0];
          const hA = full ? h : h.narrow(0, 0, bs);
          const cA = c ? (full ? c : c.narrow(0, 0, bs)) : null;
          let hNew: Tensor;
          let cNew: Tensor | null = null;
          switch (opts.mode) {
            case 'RNN_TANH': hNew = rnnCell(x, hA, w.wIh, w.wHh, w.bIh, w.bHh, 'tanh'); break;
            case 'RNN_RELU': hNew = rnnCell(x, hA, w.wIh, w.wHh, w.bIh, w.bHh, 'relu'); break;
            case 'GRU': hNew = gruCell(x, hA, w.wIh, w.wHh, w.bIh, w.bHh); break;
            case 'LSTM': [hNew, cNew] = lstmCell(x, [hA, cA!], w.wIh, w.wHh, w.bIh, w.bHh, w.wHr); break;
          }
          outs[t] = hNew;
          // Ended rows (beyond bs) keep their state.
          h = full ? hNew : core.cat([hNew, h.narrow(0, bs, h.shape[0]! - bs)], 0);
          if (c) c = full ? cNew! : core.cat([cNew!, c.narrow(0, bs, c.shape[0]! - bs)], 0);
        }
        hFinal.push(h);
        if (c) cFinal.push(c);
        dirOutputs.push(outs);
      }
      let layerOut = dirs === 1 ? dirOutputs[0]! : layerIn.map((_, t) => core.cat([dirOutputs[0]![t]!, dirOutputs[1]![t]!], 1));
      if (opts.dropout > 0 && opts.training && layer < opts.numLayers - 1) {
        layerOut = layerOut.map((o) => dropout(o, { p: opts.dropout, training: true }));
      }
      layerIn = layerOut;
    }
    return { outputs: layerIn, hN: core.stack(hFinal, 0), cN: c0 ? core.stack(cFinal, 0) : null };
  });
}
