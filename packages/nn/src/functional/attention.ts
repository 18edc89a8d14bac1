/**
 * Attention, composed of matmul, softmax and masking ops (autograd comes with them):
 * F.scaledDotProductAttention (PyTorch 2.x semantics) and F.multiHeadAttentionForward, the
 * computation behind nn.MultiheadAttention.
 */
import * as core from '@torchts/core';
import { RuntimeError, Tensor } from '@torchts/core';
import type { DType } from '@torchts/core';
import { dropout } from './dropout.js';
import { linear } from './linear.js';
import { withTemps } from './temps.js';

export interface ScaledDotProductAttentionOptions {
  /** Bool: true where attention is ALLOWED (PyTorch's SDPA convention); float: added to the scores. */
  attnMask?: Tensor | null;
  dropoutP?: number;
  isCausal?: boolean;
  /** Defaults to 1/sqrt(E). */
  scale?: number | null;
}

/** A float mask is an additive bias as is; a bool mask becomes -inf where `maskedWhere` is true. */
function boolToBias(mask: Tensor, dtype: DType, maskedWhere: boolean): Tensor {
  if (mask.dtype !== 'bool') {
    if (!mask.dtype.startsWith('float') && mask.dtype !== 'bfloat16') {
      throw new RuntimeError(`attention: only bool and floating masks are supported, got ${mask.dtype}`);
    }
    return mask;
  }
  return withTemps((t) => {
    const masked = maskedWhere ? mask : t(mask.logicalNot());
    return t(core.zeros([...mask.shape], { dtype, device: mask.device })).maskedFill(masked, -Infinity);
  });
}

/**
 * softmax(Q K^T * scale + bias) V over the last two dims; returns [output, weights].
 * `bias` broadcasts against the scores [..., L, S].
 */
function attend(q: Tensor, k: Tensor, v: Tensor, bias: Tensor | null, scale: number, dropoutP: number, training: boolean): [Tensor, Tensor] {
  return withTemps((t) => {
    let scores = t(core.matmul(t(q.mul(scale)), t(k.transpose(-2, -1))));
    if (bias) scores = t(scores.add(bias));
    let weights = scores.softmax(-1);
    if (dropoutP > 0 && training) {
      t(weights);
      weights = dropout(weights, { p: dropoutP, training: true });
    }
    return [core.matmul(weights, v), weights] as [Tensor, Tensor];
  });
}

/** PyTorch's F.scaled_dot_product_attention: query [..., L, E], key [..., S, E], value [..., S, Ev] -> [..., L, Ev]. */
export function scaledDotProductAttention(query: Tensor, key: Tensor, value: Tensor, opts: ScaledDotProductAttentionOptions = {}): Tensor {
  for (const [n, x] of [['query', query], ['key', key], ['value', value]] as const) {
    if (!(x instanceof Tensor)) throw new TypeError(`scaledDotProductAttention(): argument '${n}' must be Tensor`);
    if (x.ndim < 2) throw new RuntimeError(`scaledDotProductAttention(): ${n} must have at least 2 dimensions, got ${x.ndim}`);
  }
  const E = query.shape[query.ndim - 1]!;
  if (key.shape[key.ndim - 1] !== E) {
    throw new RuntimeError(`scaledDotProductAttention(): query and key must have the same embedding size, got ${E} and ${key.shape[key.ndim - 1]}`);
  }
  if (key.shape[key.ndim - 2] !== value.shape[value.ndim - 2]) {
    throw new RuntimeError('scaledDotProductAttention(): key and value must have the same sequence length');
  }
  const attnMask = opts.attnMask ?? null;
  const isCausal = opts.isCausal ?? false;
  if (attnMask && isCausal) {
    throw new RuntimeError('_scaled_dot_product_attention: Explicit attn_mask should not be set when is_causal=True');
  }
  const dropoutP = opts.dropoutP ?? 0;
  if (dropoutP < 0 || dropoutP > 1) throw new RuntimeError(`dropout probability has to be between 0 and 1, but got ${dropoutP}`);
  const scale = opts.scale ?? 1 / Math.sqrt(E);
  return withTemps((t) => {
    let bias: Tensor | null = null;
    if (isCausal) {
      const L = query.shape[query.ndim - 2]!;
      const S = key.shape[key.ndim - 2]!;
      bias = t(t(core.full([L, S], -Infinity, { dtype: query.dtype, device: query.device })).triu(1));
    } else if (attnMask) {
      bias = boolToBias(attnMask, query.dtype, false);
      if (bias !== attnMask) t(bias);
    }
    const [out, weights] = attend(query, key, value, bias, scale, dropoutP, true);
    t(weights);
    return out;
  });
}

export interface MultiHeadAttentionForwardOptions {
  /** [N, S] (or [S] unbatched): bool true = ignore that key; float is added. */
  keyPaddingMask?: Tensor | null;
  needWeights?: boolean;
  /** [L, S] or [N*numHeads, L, S]: bool true = NOT allowed (nn.MultiheadAttention's convention); float is added. */
  attnMask?: Tensor | null;
  averageAttnWeights?: boolean;
}

export interface MultiHeadAttentionParams {
  numHeads: number;
  /** Packed [3E, E] projection, or null when qProjWeight/kProjWeight/vProjWeight are given. */
  inProjWeight: Tensor | null;
  inProjBias: Tensor | null;
  qProjWeight?: Tensor | null;
  kProjWeight?: Tensor | null;
  vProjWeight?: Tensor | null;
  outProjWeight: Tensor;
  outProjBias: Tensor | null;
  /** [1, 1, E] each: a learned key and value appended to every sequence (PyTorch's add_bias_kv). */
  biasK?: Tensor | null;
  biasV?: Tensor | null;
  /** Appends an all-zero key and value after the projections (PyTorch's add_zero_attn). */
  addZeroAttn?: boolean;
  dropoutP: number;
  training: boolean;
}

const shapeStr = (s: readonly number[]): string => `torch.Size([${s.join(', ')}])`;

/**
 * PyTorch's F.multi_head_attention_forward for sequence-first inputs: query [L, N, E] (or [L, E]
 * unbatched), key [S, N, kdim], value [S, N, vdim]. Returns [output [L, N, E], weights or null];
 * weights are [N, L, S] averaged over heads, or [N, H, L, S].
 */
export function multiHeadAttentionForward(
  query: Tensor,
  key: Tensor,
  value: Tensor,
  p: MultiHeadAttentionParams,
  opts: MultiHeadAttentionForwardOptions = {},
): [Tensor, Tensor | null] {
  const batched = query.ndim === 3;
  if (query.ndim !== 3 && query.ndim !== 2) {
    throw new RuntimeError(`query should be unbatched 2D or batched 3D tensor but received ${query.ndim}-D query tensor`);
  }
  if (key.ndim !== query.ndim || value.ndim !== query.ndim) {
    throw new RuntimeError(
      `For ${batched ? 'batched (3-D)' : 'unbatched (2-D)'} \`query\`, expected \`key\` and \`value\` to be ${batched ? '3-D' : '2-D'} but found ${key.ndim}-D and ${value.ndim}-D tensors respectively`,
    );
  }
  const needWeights = opts.needWeights ?? true;
  const average = opts.averageAttnWeights ?? true;
  return withTemps((t) => {
    const q3 = batched ? query : t(query.unsqueeze(1));
    const k3 = batched ? key : t(key.unsqueeze(1));
    const v3 = batched ? value : t(value.unsqueeze(1));
    let kpm = opts.keyPaddingMask ?? null;
    if (kpm && !batched) kpm = t(kpm.unsqueeze(0));
    const [L, N, E] = q3.shape as [number, number, number];
    const S = k3.shape[0]!;
    const H = p.numHeads;
    const hd = Math.floor(E / H);
    if (hd * H !== E) throw new RuntimeError(`embed_dim ${E} not divisible by num_heads ${H}`);
    if (k3.shape[0] !== v3.shape[0] || k3.shape[1] !== v3.shape[1]) {
      throw new RuntimeError(`key shape ${shapeStr(k3.shape)} does not match value shape ${shapeStr(v3.shape)}`);
    }
    if (k3.shape[1] !== N) throw new RuntimeError(`key batch size ${k3.shape[1]} does not match query batch size ${N}`);

    // Input projections.
    const bias = (i: number): Tensor | null => (p.inProjBias ? t(p.inProjBias.narrow(0, i * E, E)) : null);
    let wq: Tensor, wk: Tensor, wv: Tensor;
    if (p.inProjWeight) {
      if (p.inProjWeight.shape[1] !== E) {
        throw new RuntimeError(`was expecting embedding dimension of ${p.inProjWeight.shape[1]}, but got ${E}`);
      }
      wq = t(p.inProjWeight.narrow(0, 0, E));
      wk = t(p.inProjWeight.narrow(0, E, E));
      wv = t(p.inProjWeight.narrow(0, 2 * E, E));
    } else {
      if (!p.qProjWeight || !p.kProjWeight || !p.vProjWeight) {
        throw new RuntimeError('use_separate_proj_weight is True but q_proj_weight, k_proj_weight or v_proj_weight is None');
      }
      [wq, wk, wv] = [p.qProjWeight, p.kProjWeight, p.vProjWeight];
    }
    const q = t(linear(q3, wq, bias(0)));
    let k = t(linear(k3, wk, bias(1)));
    let v = t(linear(v3, wv, bias(2)));
    const biasK = p.biasK ?? null;
    const biasV = p.biasV ?? null;
    if ((biasK === null) !== (biasV === null)) throw new RuntimeError('bias_k and bias_v must both be given or both be None');
    if (biasK && biasV) {
      // One more key/value position per sequence: [S, N, E] -> [S + 1, N, E].
      k = t(core.cat([k, t(biasK.expand([1, N, E]))], 0));
      v = t(core.cat([v, t(biasV.expand([1, N, E]))], 0));
    }
    // [len, N, E] -> [N, H, len, hd]
    const heads = (x: Tensor): Tensor => t(t(x.reshape([x.shape[0]!, N, H, hd])).permute(1, 2, 0, 3));
    let kh = heads(k);
    let vh = heads(v);
    if (p.addZeroAttn) {
      const zero = t(core.zeros([N, H, 1, hd], { dtype: kh.dtype, device: kh.device }));
      kh = t(core.cat([kh, zero], 2));
      vh = t(core.cat([vh, zero], 2));
    }
    // Positions added above are never masked: the masks get zero (allowed) columns for them.
    const added = kh.shape[2]! - S;
    const padKeys = (m: Tensor): Tensor => (added ? t(core.pad(m, [0, added])) : m);

    // Masks as additive biases, broadcast against the scores [N, H, L, S].
    let maskBias: Tensor | null = null;
    const attnMask = opts.attnMask ?? null;
    if (attnMask) {
      let m = boolToBias(attnMask, q.dtype, true);
      if (m !== attnMask) t(m);
      if (m.ndim === 2) {
        if (m.shape[0] !== L || m.shape[1] !== S) {
          throw new RuntimeError(`The shape of the 2D attn_mask is ${shapeStr(m.shape)}, but should be ${shapeStr([L, S])}.`);
        }
      } else if (m.ndim === 3) {
        if (m.shape[0] !== N * H || m.shape[1] !== L || m.shape[2] !== S) {
          throw new RuntimeError(`The shape of the 3D attn_mask is ${shapeStr(m.shape)}, but should be ${shapeStr([N * H, L, S])}.`);
        }
        m = t(m.reshape([N, H, L, S]));
      } else {
        throw new RuntimeError(`attn_mask's dimension ${m.ndim} is not supported`);
      }
      maskBias = padKeys(m);
    }
    if (kpm) {
      if (kpm.ndim !== 2 || kpm.shape[0] !== N || kpm.shape[1] !== S) {
        throw new RuntimeError(`expecting key_padding_mask shape of ${shapeStr([N, S])}, but got ${shapeStr(kpm.shape)}`);
      }
      let kb = boolToBias(kpm, q.dtype, true);
      if (kb !== kpm) t(kb);
      kb = t(padKeys(kb).reshape([N, 1, 1, S + added]));
      maskBias = maskBias ? t(maskBias.add(kb)) : kb;
    }

    const [o4, w4] = attend(heads(q), kh, vh, maskBias, 1 / Math.sqrt(hd), p.dropoutP, p.training);
    t(o4);
    const merged = t(t(o4.permute(2, 0, 1, 3)).reshape([L, N, E]));
    let out = linear(merged, p.outProjWeight, p.outProjBias);
    if (!batched) out = t(out).squeeze(1);
    let weights: Tensor | null = null;
    if (needWeights) {
      weights = average ? t(w4).mean(1) : w4;
      if (!batched) weights = t(weights).squeeze(0);
    } else {
      t(w4);
    }
    return [out, weights] as [Tensor, Tensor | null];
  });
}
