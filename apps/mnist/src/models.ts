/** The two networks the app trains: LeNet-5 (from @torchts/vision) and an MLP 784-128-10. */
import * as torch from 'torchts';
import { models } from '@torchts/vision';
import type { ModelName } from './cli.js';

const { nn } = torch;

/** A two-layer perceptron on flattened 28x28 images. */
export function mlp(): torch.nn.Module {
  return new nn.Sequential(new nn.Flatten(), new nn.Linear(784, 128), new nn.ReLU(), new nn.Linear(128, 10));
}

export function buildModel(name: ModelName): torch.nn.Module {
  switch (name) {
    case 'lenet5': return models.lenet5();
    case 'mlp': return mlp();
  }
}

/** Runs the model on a batch [N, 1, 28, 28] and returns logits [N, 10]. */
export function logits(model: torch.nn.Module, x: torch.Tensor): torch.Tensor {
  return (model as unknown as { call(x: torch.Tensor): torch.Tensor }).call(x);
}
