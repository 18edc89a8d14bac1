/** normalize: (img - mean) / std per channel, for float images. */
import { Tensor, ValueError, tensor, tidy } from '@torchts/core';
import { isFloat } from './image.js';

/** normalize(img float [..., C, H, W], mean [C] | [1], std [C] | [1], inplace = false). */
export function normalize(img: Tensor, mean: readonly number[] | number, std: readonly number[] | number, inplace = false): Tensor {
  if (!(img instanceof Tensor)) throw new TypeError(`normalize(): img should be a Tensor. Got ${typeof img}`);
  if (!isFloat(img.dtype)) throw new TypeError(`normalize(): input tensor should be a float tensor. Got ${img.dtype}.`);
  if (img.dim() < 3) {
    throw new ValueError(`normalize(): expected tensor to be a tensor image of size (..., C, H, W). Got tensor.size() = [${img.shape.join(', ')}]`);
  }
  return tidy(() => {
    const m = tensor(typeof mean === 'number' ? [mean] : [...mean], { dtype: img.dtype, device: img.device });
    const s = tensor(typeof std === 'number' ? [std] : [...std], { dtype: img.dtype, device: img.device });
    if (s.eq(0).any().item()) {
      throw new ValueError(`normalize(): std evaluated to zero after conversion to ${img.dtype}, leading to division by zero.`);
    }
    const out = inplace ? img : img.clone();
    out.sub_(m.reshape([-1, 1, 1])).div_(s.reshape([-1, 1, 1]));
    return out;
  });
}
