/** Runs the example from packages/nn/README.md (kept in sync by hand). */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import * as torch from '../src/index.js';
const { nn } = torch;

class LeNet extends nn.Module {
  conv1 = new nn.Conv2d(1, 6, 5);
  pool = new nn.MaxPool2d(2);
  conv2 = new nn.Conv2d(6, 16, 5);
  fc1 = new nn.Linear(256, 120);
  fc2 = new nn.Linear(120, 84);
  fc3 = new nn.Linear(84, 10);
  forward(x: torch.Tensor): torch.Tensor {
    x = this.pool.call(this.conv1.call(x).relu()) as torch.Tensor;
    x = this.pool.call(this.conv2.call(x).relu()) as torch.Tensor;
    x = x.flatten(1);
    return this.fc3.call(this.fc2.call(this.fc1.call(x).relu()).relu());
  }
}

it('trains LeNet one step and round-trips its state dict through a file', async () => {
  torch.manualSeed(0);
  const model = new LeNet();
  const opt = new torch.optim.SGD(model.parameters(), { lr: 0.01, momentum: 0.9 });
  const lossFn = new nn.CrossEntropyLoss();
  const x = torch.randn(8, 1, 28, 28);
  const y = torch.randint(0, 10, [8]);
  const loss = torch.tidy(() => {
    opt.zeroGrad();
    const l = lossFn.call(model.call(x), y);
    l.backward();
    opt.step();
    return l.item();
  });
  expect(loss).toBeGreaterThan(1.5);
  expect(String(model)).toContain('(conv1): Conv2d(1, 6, kernel_size=(5, 5), stride=(1, 1))');
  const dir = mkdtempSync(join(tmpdir(), 'torchts-'));
  try {
    const file = join(dir, 'lenet.safetensors');
    await torch.saveFile(file, model.stateDict());
    const other = new LeNet();
    other.loadStateDict((await torch.loadFile(file)) as Map<string, torch.Tensor>);
    expect(other.fc3.weight.tolist()).toEqual(model.fc3.weight.tolist());
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
