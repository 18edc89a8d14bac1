/**
 * `node dist/main.js [--style manual|autograd|nn] [--check]`: trains the slides' two-layer network
 * for 500 iterations in one style, printing the loss at iterations 0, 1, 99, 199, ... 499 the way
 * the slides print it (`t loss`). With `--check`, each printed loss is compared with PyTorch's for
 * the same data (fixtures/losses.json) and the exit code says whether all are within tolerance.
 */
import * as torch from 'torchts';
import { ITERATIONS, STYLES, loadData, loadReference, relativeError, toleranceAt, train, weightsFor } from './two-layer-net.js';
import type { Reference, Style } from './two-layer-net.js';

const USAGE = `usage: node dist/main.js [--style manual|autograd|nn] [--check]
  --style  manual: gradients by hand; autograd: loss.backward() and an update under noGrad (default);
           nn: torch.nn.Sequential + MSELoss({ reduction: 'sum' }) + torch.optim.SGD
  --check  compare the printed losses with PyTorch's (fixtures/losses.json); exit 1 on a mismatch`;

function parseArgs(argv: string[]): { style: Style; check: boolean } {
  let style: Style = 'autograd';
  let check = false;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const value = a === '--style' ? argv[++i] : a.startsWith('--style=') ? a.slice('--style='.length) : undefined;
    if (value !== undefined) {
      if (!STYLES.includes(value as Style)) {
        console.error(`unknown style '${value}'\n${USAGE}`);
        process.exit(2);
      }
      style = value as Style;
    } else if (a === '--check') check = true;
    else if (a === '--') continue; // `pnpm start -- --check` passes the separator along
    else {
      console.log(USAGE);
      process.exit(a === '--help' || a === '-h' ? 0 : 2);
    }
  }
  return { style, check };
}

const printed = (t: number): boolean => t < 2 || t % 100 === 99;

async function main(): Promise<void> {
  const { style, check } = parseArgs(process.argv.slice(2));
  const reference: Reference | null = check ? await loadReference() : null;
  let failures = 0;
  const seconds = await torch.tidy(async () => {
    const data = weightsFor(style, await loadData());
    console.log(`two-layer net, ${style} style: N=64, D_in=1000, H=100, D_out=10, lr 1e-6, ${ITERATIONS} iterations`);
    if (reference) console.log(`checking against PyTorch ${reference.torchVersion}: relative error <= tolerance (1e-4, or 3x PyTorch's own spread across summation orders)`);
    const start = performance.now();
    train(style, data, {
      onIteration: (t, loss) => {
        if (!printed(t)) return;
        const k = reference ? reference.recorded.indexOf(t) : -1;
        if (!reference || k < 0) return console.log(t, loss);
        const theirs = reference.losses[style][k]!;
        const err = relativeError(loss, theirs);
        const tol = toleranceAt(reference, k);
        if (err > tol) failures++;
        console.log(t, loss, `PyTorch ${theirs}`, `rel. error ${err.toExponential(2)} <= ${tol.toExponential(1)}`, err <= tol ? 'ok' : 'MISMATCH');
      },
    });
    return (performance.now() - start) / 1000;
  });
  console.log(`${seconds.toFixed(2)} s; live tensors after training: ${torch.memory().liveTensors}`);
  if (check) {
    console.log(failures === 0 ? 'check passed' : `check FAILED: ${failures} losses out of tolerance`);
    process.exitCode = failures === 0 ? 0 : 1;
  }
}

await main();
