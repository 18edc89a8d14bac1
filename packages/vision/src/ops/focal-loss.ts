/** torchvision.ops.sigmoid_focal_loss: RetinaNet's loss for dense detection, from differentiable ops. */
import * as torch from '@torchts/core';
import { ValueError, type Tensor } from '@torchts/core';
import { functional as F } from '@torchts/nn';

export interface SigmoidFocalLossOptions {
  /** Weight of the positive class in (0, 1); negative disables the weighting. Default 0.25. */
  alpha?: number;
  /** Exponent of the modulating factor (1 - p_t). Default 2. */
  gamma?: number;
  /** 'none' (default), 'mean' or 'sum'. */
  reduction?: 'none' | 'mean' | 'sum';
}

/** sigmoidFocalLoss(inputs, targets) with targets in {0, 1} of the inputs' shape. */
export function sigmoidFocalLoss(inputs: Tensor, targets: Tensor, opts: SigmoidFocalLossOptions = {}): Tensor {
  const { alpha = 0.25, gamma = 2, reduction = 'none' } = opts;
  if (!['none', 'mean', 'sum'].includes(reduction)) {
    throw new ValueError(`Invalid Value for arg 'reduction': '${reduction}' \n Supported reduction modes: 'none', 'mean', 'sum'`);
  }
  return torch.tidy(() => {
    const p = torch.sigmoid(inputs);
    const ce = F.binaryCrossEntropyWithLogits(inputs, targets, { reduction: 'none' });
    const pT = p.mul(targets).add(p.neg().add(1).mul(targets.neg().add(1)));
    let loss = ce.mul(pT.neg().add(1).pow(gamma));
    if (alpha >= 0) loss = targets.mul(alpha).add(targets.neg().add(1).mul(1 - alpha)).mul(loss);
    return reduction === 'mean' ? loss.mean() : reduction === 'sum' ? loss.sum() : loss;
  });
}
