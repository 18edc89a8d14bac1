/**
 * A tour of torchts for PyTorch users, written as a REPL transcript: each `>>>` line is the
 * PyTorch you would type, followed by what torchts prints. Run with `pnpm main` from the root.
 */
import * as torch from 'torchts';
import type { Tensor } from 'torchts';

/** Prints a value the way Python's REPL would; tensors use torchts's PyTorch-like printer. */
function show(code: string, value: unknown): void {
  console.log(`>>> ${code}`);
  console.log(value);
}

/** dtypes print as Python shows them. */
const dtype = (t: Tensor): string => `torch.${t.dtype}`;

function section(title: string): void {
  console.log(`\n## ${title}\n`);
}

function creation(): void {
  section('Creating tensors');
  show('torch.tensor([[1, 2, 3], [4, 5, 6]])   # JS numbers give float32', torch.tensor([[1, 2, 3], [4, 5, 6]]));
  show('torch.arange(6)                        # integral arguments give int64', torch.arange(6));
  show('torch.linspace(0, 1, 5)', torch.linspace(0, 1, 5));
  show('torch.zeros(2, 3, dtype=torch.int32)', torch.zeros(2, 3, { dtype: 'int32' }));
  torch.manualSeed(0);
  const r1 = torch.randn(2, 3);
  torch.manualSeed(0);
  const r2 = torch.randn(2, 3);
  show('torch.manual_seed(0); r1 = torch.randn(2, 3); r1   # the numbers PyTorch gives too', r1);
  show('torch.manual_seed(0); r1.tolist() == torch.randn(2, 3).tolist()   # same seed, same numbers',
    JSON.stringify(r1.tolist()) === JSON.stringify(r2.tolist()));
}

function views(): void {
  section('Views share storage');
  const base = torch.arange(12, { dtype: 'float32' }).view(3, 4);
  show('base = torch.arange(12, dtype=torch.float32).view(3, 4); base', base);
  const row = base.select(0, 1);
  const colsT = base.t();
  show('row = base[1]; row.storage_offset(), row.stride()', [row.storageOffset(), row.stride()]);
  show('base.t().is_contiguous(), base.t().stride()', [colsT.isContiguous(), colsT.stride()]);
  row.mul_(10);
  show('row.mul_(10); base                     # the write through the view shows in base', base);
  const corner = base.narrow(0, 0, 2).narrow(1, 2, 2);
  corner.fill_(-1);
  show('base[:2, 2:].fill_(-1); base', base);
  const copy = colsT.contiguous();
  copy.fill_(0);
  show('base.t().contiguous().fill_(0); base   # contiguous() copied: base unchanged', base);
}

function broadcasting(): void {
  section('Broadcasting');
  const col = torch.tensor([[0], [10], [20]]);
  const rowv = torch.arange(4, { dtype: 'float32' });
  show('col = torch.tensor([[0.], [10.], [20.]]); row = torch.arange(4.); col + row', col.add(rowv));
  show('(col * row).shape', (col.mul(rowv)).shape);
}

function promotion(): void {
  section('dtype promotion');
  const i = torch.arange(4);
  show('i = torch.arange(4); i.dtype', dtype(i));
  show('(i * 2).dtype                          # int scalar keeps int64', dtype(i.mul(2)));
  show('i * 2.5                                # float scalar gives the default float', i.mul(2.5));
  const i32 = torch.tensor([1, 2], { dtype: 'int32' });
  const f64 = torch.tensor([0.5, 0.25], { dtype: 'float64' });
  show('(torch.tensor([1, 2], dtype=torch.int32) + torch.arange(2)).dtype', dtype(i32.add(torch.arange(2))));
  show('(torch.tensor([1, 2], dtype=torch.int32) * torch.tensor([.5, .25], dtype=torch.float64)).dtype', dtype(i32.mul(f64)));
}

function reductionsAndMatmul(): void {
  section('Reductions and matmul');
  const x = torch.arange(6, { dtype: 'float32' }).view(2, 3);
  show('x = torch.arange(6.).view(2, 3); x', x);
  show('x.sum()', x.sum());
  show('x.sum(1, keepdim=True)', x.sum(1, { keepdim: true }));
  show('x.mean(0)', x.mean(0));
  const w = torch.tensor([[1, 0], [0, 1], [1, 1]]);
  show('w = torch.tensor([[1., 0.], [0., 1.], [1., 1.]]); torch.matmul(x, w)', torch.matmul(x, w));
  show('torch.matmul(x, x.t())                 # a transposed view, no copy needed', torch.matmul(x, x.t()));
}

function memory(): void {
  section('Deterministic memory');
  const weights = torch.randn(64, 64);
  const input = torch.randn(32, 64);
  const snapshot = (): string => {
    const m = torch.memory();
    const cpu = m.devices.cpu!;
    return `live tensors ${m.liveTensors}, live bytes ${cpu.liveBytes}, pooled bytes ${cpu.pooledBytes}`;
  };
  show('torch.memory()   # before', snapshot());
  for (let step = 0; step < 100; step++) {
    // Every intermediate created inside tidy is freed when it returns.
    torch.tidy(() => {
      const h = torch.matmul(input, weights).add(1).mul(0.5);
      return h.sum().item();
    });
  }
  show('for 100 steps: torch.tidy(() => matmul(input, weights).add(1).mul(0.5).sum().item())', 'done');
  show('torch.memory()   # after: the same live tensors and bytes; freed blocks stay pooled for reuse', snapshot());
  torch.dispose([weights, input]);
}

const start = performance.now();
torch.tidy(() => {
  creation();
  views();
  broadcasting();
  promotion();
  reductionsAndMatmul();
  memory();
});
const m = torch.memory();
console.log(`\n## After the outer tidy: ${m.liveTensors} live tensors, ${m.devices.cpu!.liveBytes} live bytes (${(performance.now() - start).toFixed(0)} ms)`);
