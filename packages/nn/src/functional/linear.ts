/** F.linear and F.bilinear, composed of addmm/matmul and broadcasting adds (autograd comes with them). */
import * as core from '@torchts/core';
import { RuntimeError, Tensor } from '@torchts/core';
import { withTemps } from './temps.js';

/**
 * input @ weight^T + bias, as PyTorch computes it: a 2-D input (and a contiguous 3-D one, flattened
 * to 2-D) with a bias is one addmm — the bias seeds the output and the GEMM adds onto it (beta 1),
 * no second pass or intermediate; other shapes are matmul then an in-place add.
 */
export function linear(input: Tensor, weight: Tensor, bias: Tensor | null = null): Tensor {
  if (!(input instanceof Tensor)) throw new TypeError("linear(): argument 'input' must be Tensor");
  const inF = weight.ndim === 2 ? weight.shape[1] : weight.shape[0];
  if (input.ndim === 0 || input.shape[input.ndim - 1] !== inF) {
    const rows = input.ndim === 0 ? 1 : input.numel() / input.shape[input.ndim - 1]!;
    const cols = input.ndim === 0 ? 1 : input.shape[input.ndim - 1];
    throw new RuntimeError(`mat1 and mat2 shapes cannot be multiplied (${rows}x${cols} and ${weight.shape[1] ?? 1}x${weight.shape[0]})`);
  }
  return withTemps((t) => {
    const wt = weight.ndim === 2 ? t(weight.t()) : weight;
    if (bias && weight.ndim === 2 && (input.ndim === 2 || (input.ndim === 3 && input.isContiguous()))) {
      if (input.ndim === 2) return core.addmm(bias, input, wt);
      const [b, l, f] = input.shape as [number, number, number];
      return t(core.addmm(bias, t(input.view([b * l, f])), wt)).view([b, l, weight.shape[0]!]);
    }
    const y = core.matmul(input, wt);
    return bias ? y.add_(bias) : y;
  });
}

/** y_k = x1^T W_k x2 + b_k, with weight [out, in1, in2]. */
export function bilinear(input1: Tensor, input2: Tensor, weight: Tensor, bias: Tensor | null = null): Tensor {
  const [out, in1, in2] = weight.shape as [number, number, number];
  if (input1.shape[input1.ndim - 1] !== in1) {
    throw new RuntimeError(`bilinear(): input1 size does not match weight size: got ${input1.shape[input1.ndim - 1]} but expected ${in1}`);
  }
  if (input2.shape[input2.ndim - 1] !== in2) {
    throw new RuntimeError(`bilinear(): input2 size does not match weight size: got ${input2.shape[input2.ndim - 1]} but expected ${in2}`);
  }
  if (input1.shape.slice(0, -1).join() !== input2.shape.slice(0, -1).join()) {
    throw new RuntimeError('bilinear(): input batch dimensions do not match');
  }
  return withTemps((t) => {
    // (x1 @ W') with W' = [in1, out*in2], then contract with x2 over in2.
    const w = t(t(weight.permute(1, 0, 2)).reshape([in1, out * in2]));
    const xw = t(t(core.matmul(input1, w)).reshape([...input1.shape.slice(0, -1), out, in2]));
    const y = t(xw.mul(t(input2.unsqueeze(-2)))).sum(-1);
    if (!bias) return y;
    t(y);
    return y.add(bias);
  });
}
