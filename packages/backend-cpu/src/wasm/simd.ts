/**
 * The WebAssembly SIMD kernels (assembly/, built into wasm/ by scripts/build-wasm.mjs): loading,
 * build selection and the switch back to the TypeScript kernels.
 *
 * - Two builds: `relaxed` (relaxed SIMD: fused multiply-add) and `simd` (plain 128-bit SIMD).
 *   Node 20 hides relaxed SIMD behind a V8 flag, which we set before compiling; the first build
 *   that `WebAssembly.validate` accepts is instantiated against the CPU heap's shared memory.
 * - Where neither can be loaded (no SIMD, no binaries, no synchronous file access as in browsers)
 *   the TS kernels run: kernels ask `simd()` and fall back when it returns null.
 * - `TORCHTS_CPU_KERNELS=ts|simd|relaxed|auto` (environment) or `setCpuKernels(...)` force a
 *   choice: 'ts' for debugging and as the tests' oracle, 'simd' to run the plain build where the
 *   relaxed one would load. Forcing a build the engine cannot run throws.
 */
import { RuntimeError } from '@torchts/core';
import type { CpuHeap } from '../heap.js';
import { WasmPool } from './pool.js';

export type CpuKernels = 'ts' | 'simd' | 'relaxed';
export type CpuKernelsChoice = CpuKernels | 'auto';

/** What the wasm module exports (addresses are byte offsets into the heap's memory). */
export interface SimdExports {
  relaxed(): number;
  gemmWorkspaceBytes(): number;
  gemmF32(m: number, n: number, k: number, alpha: number, a: number, rsA: number, csA: number, b: number, rsB: number,
    csB: number, beta: number, c: number, rsC: number, csC: number, work: number): void;
  binaryF32(op: number, rows: number, len: number, o: number, ors: number, a: number, ars: number, acs: number, ak: number, b: number, brs: number, bcs: number, bk: number, alpha: number): void;
  binaryF64: SimdExports['binaryF32'];
  /** Integer arithmetic (assembly/elementwise-int.ts); alpha: an integer, for the alpha op codes. */
  binaryI32(op: number, rows: number, len: number, o: number, ors: number, a: number, ars: number, acs: number, b: number, brs: number, bcs: number, alpha: number): void;
  binaryI8: SimdExports['binaryI32'];
  binaryU8: SimdExports['binaryI32'];
  binaryI16: SimdExports['binaryI32'];
  binaryI64: SimdExports['binaryI32'];
  compareI32: SimdExports['compareF32'];
  compareI8: SimdExports['compareF32'];
  compareU8: SimdExports['compareF32'];
  compareI16: SimdExports['compareF32'];
  compareI64: SimdExports['compareF32'];
  /** Integer neg/abs/bitwise not. */
  unaryI32(op: number, rows: number, len: number, o: number, ors: number, a: number, ars: number): void;
  unaryI8: SimdExports['unaryI32'];
  unaryU8: SimdExports['unaryI32'];
  unaryI16: SimdExports['unaryI32'];
  unaryI64: SimdExports['unaryI32'];
  compareF32(op: number, rows: number, len: number, o: number, ors: number, a: number, ars: number, acs: number, b: number, brs: number, bcs: number): void;
  compareF64(op: number, rows: number, len: number, o: number, ors: number, a: number, ars: number, acs: number, b: number, brs: number, bcs: number): void;
  whereF32(rows: number, len: number, o: number, ors: number, c: number, crs: number, a: number, ars: number, acs: number, b: number, brs: number, bcs: number): void;
  whereF64(rows: number, len: number, o: number, ors: number, c: number, crs: number, a: number, ars: number, acs: number, b: number, brs: number, bcs: number): void;
  ternaryF32(op: number, rows: number, len: number, o: number, ors: number, x: number, xrs: number, xcs: number, a: number, ars: number, acs: number,
    b: number, brs: number, bcs: number, value: number): void;
  ternaryF64: SimdExports['ternaryF32'];
  whereI8: SimdExports['whereF64'];
  whereI16: SimdExports['whereF64'];
  unaryF32(op: number, rows: number, len: number, o: number, ors: number, a: number, ars: number, p0: number, p1: number): void;
  unaryF64: SimdExports['unaryF32'];
  sumF32(p: number, n: number): number;
  sumF64(p: number, n: number): number;
  sumChunksF32(p: number, n: number, first: number, last: number, out: number): void;
  sumChunksF64: SimdExports['sumChunksF32'];
  sumRowsF32(x: number, r0: number, r1: number, rs: number, n1: number, s1: number, n0: number, out: number, div: number): void;
  sumRowsF64: SimdExports['sumRowsF32'];
  sumColsF32(x: number, o0: number, o1: number, xo: number, n1: number, s1: number, n0: number, s0: number, m: number, j0: number, j1: number, out: number, div: number, scratch: number): void;
  sumColsF64: SimdExports['sumColsF32'];
  sumColChunksF32(x: number, n1: number, s1: number, n0: number, s0: number, m: number, rows: number, c0: number, c1: number, partials: number, scratch: number): void;
  sumColChunksF64: SimdExports['sumColChunksF32'];
  sumColPartialsF32(partials: number, chunks: number, m: number, out: number, div: number): void;
  sumColPartialsF64: SimdExports['sumColPartialsF32'];
  maxF32(p: number, n: number): number;
  maxF64(p: number, n: number): number;
  minF32(p: number, n: number): number;
  minF64(p: number, n: number): number;
  im2colF32(x: number, sC: number, sD: number, sH: number, sW: number, C: number, D: number, H: number, W: number,
    KD: number, KH: number, KW: number, OD: number, OH: number, OW: number, sd: number, sh: number, sw: number,
    pd: number, ph: number, pw: number, dd: number, dh: number, dw: number, col: number): void;
  im2colF64: SimdExports['im2colF32'];
  col2imF32(col: number, out: number, C: number, ID: number, IH: number, IW: number, KD: number, KH: number, KW: number,
    OD: number, OH: number, OW: number, sd: number, sh: number, sw: number, pd: number, ph: number, pw: number,
    dd: number, dh: number, dw: number): void;
  col2imF64: SimdExports['col2imF32'];
  softmaxF32(x: number, o: number, o0: number, o1: number, len: number, inner: number, j0: number, j1: number, scratch: number, log: number): void;
  softmaxF64: SimdExports['softmaxF32'];
  maxPoolF32(x: number, ps: number, sD: number, sH: number, sW: number, planes: number, H: number, W: number, OD: number, OH: number,
    OW: number, dd: number, dh: number, dw: number, win: number, out: number, idx: number): void;
  maxPoolF64: SimdExports['maxPoolF32'];
  avgPoolF32(x: number, ps: number, sD: number, sH: number, sW: number, planes: number, OD: number, OH: number, OW: number,
    win: number, div: number, over: number, out: number): void;
  avgPoolF64: SimdExports['avgPoolF32'];
  avgPoolBackwardF32(g: number, ps: number, sD: number, sH: number, sW: number, planes: number, D: number, H: number, W: number,
    OD: number, OH: number, OW: number, win: number, div: number, over: number, gi: number): void;
  avgPoolBackwardF64: SimdExports['avgPoolBackwardF32'];
  maxPoolBackwardF32(planes: number, inPlane: number, outPlane: number, g: number, gs: number, idx: number, gi: number): void;
  maxPoolBackwardF64: SimdExports['maxPoolBackwardF32'];
  gatherF32(rows: number, len: number, o: number, ors: number, ocs: number, a: number, ars: number, acs: number, dimStride: number,
    size: number, idx: number, irs: number, ics: number): number;
  gatherF64: SimdExports['gatherF32'];
  scatterF32(add: number, rows: number, len: number, t: number, trs: number, tcs: number, dimStride: number, size: number,
    idx: number, irs: number, ics: number, s: number, srs: number, scs: number): number;
  scatterF64: SimdExports['scatterF32'];
  copyRow32(n: number, o: number, os: number, a: number, as: number): void;
  copyRow64: SimdExports['copyRow32'];
  convertRowU8F32: SimdExports['copyRow32'];
  convertRowF32F64: SimdExports['copyRow32'];
  convertRowF64F32: SimdExports['copyRow32'];
  softmaxBackwardF32(g: number, y: number, o: number, o0: number, o1: number, len: number, inner: number, j0: number, j1: number, acc: number, log: number): void;
  softmaxBackwardF64: SimdExports['softmaxBackwardF32'];
  argmaxF32: SimdExports['maxF32'];
  argmaxF64: SimdExports['maxF32'];
  argminF32: SimdExports['maxF32'];
  argminF64: SimdExports['maxF32'];
  logsumexpF32: SimdExports['maxF32'];
  logsumexpF64: SimdExports['maxF32'];
  powerSumF32(p: number, n: number, center: number, kind: number): number;
  powerSumF64: SimdExports['powerSumF32'];
  powerSumRowsF32(x: number, r0: number, r1: number, rs: number, n: number, kind: number, centered: number, out: number): void;
  powerSumRowsF64: SimdExports['powerSumRowsF32'];
  logsumexpRowsF32(x: number, r0: number, r1: number, rs: number, n: number, out: number): void;
  logsumexpRowsF64: SimdExports['logsumexpRowsF32'];
  nanRowsF32(x: number, r0: number, r1: number, rs: number, n: number, mean: number, out: number): void;
  nanRowsF64: SimdExports['nanRowsF32'];
  extremeRowsF32(x: number, r0: number, r1: number, rs: number, n: number, vals: number, idx: number, isMax: number): void;
  extremeRowsF64: SimdExports['extremeRowsF32'];
  extremeColsF32(x: number, o0: number, o1: number, xo: number, n1: number, s1: number, n0: number, s0: number, m: number, j0: number, j1: number, vals: number, idx: number, isMax: number, scratch: number): void;
  extremeColsF64: SimdExports['extremeColsF32'];
  colMomentsF32(x: number, o0: number, o1: number, xo: number, n1: number, s1: number, n0: number, s0: number, m: number, j0: number, j1: number, acc: number, mean: number, kind: number): void;
  colMomentsF64: SimdExports['colMomentsF32'];
  logsumexpColsF32(x: number, o0: number, o1: number, xo: number, n1: number, s1: number, n0: number, s0: number, m: number, j0: number, j1: number, out: number): void;
  logsumexpColsF64: SimdExports['logsumexpColsF32'];
  prodF32: SimdExports['maxF32'];
  prodF64: SimdExports['maxF32'];
  accumulateColsF32(x: number, o0: number, o1: number, xo: number, n1: number, s1: number, n0: number, s0: number, m: number, j0: number, j1: number, out: number, acc: number, kind: number): void;
  accumulateColsF64: SimdExports['accumulateColsF32'];
  nllFirstBadTarget(n: number, c: number, t: number, ignoreIndex: number): number;
  nllForwardF32(n: number, c: number, x: number, t: number, w: number, ignoreIndex: number, reduction: number, out: number, total: number): void;
  nllForwardF64: SimdExports['nllForwardF32'];
  nllBackwardF32(n: number, c: number, o: number, g: number, t: number, w: number, ignoreIndex: number, reduction: number, total: number): void;
  nllBackwardF64: SimdExports['nllBackwardF32'];
  fill32(p: number, n: number, bits: number): void;
  fill64(p: number, n: number, lo: number, hi: number): void;
  fillBytes(p: number, bytes: number, byte: number): void;
  copyBytes(o: number, a: number, bytes: number): void;
  addChannelBiasF32(out: number, bias: number, biasStride: number, N: number, C: number, L: number): void;
  addChannelBiasF64: SimdExports['addChannelBiasF32'];
  convForwardF32(p: number, n0: number, n1: number, col: number, work: number): void;
  convForwardF64: SimdExports['convForwardF32'];
  convTransposeF32: SimdExports['convForwardF32'];
  convTransposeF64: SimdExports['convForwardF32'];
  convWeightGradF32(p: number, c0: number, c1: number, chunk: number, N: number, col: number): void;
  convWeightGradF64: SimdExports['convWeightGradF32'];
  sumPartialsF32(dst: number, src: number, count: number, len: number): void;
  sumPartialsF64: SimdExports['sumPartialsF32'];
  sgdStepF32(n: number, p: number, g: number, b: number, negLr: number, wd: number, mom: number, momAlpha: number, keep: number, flags: number): void;
  sgdStepF64: SimdExports['sgdStepF32'];
  adamStepF32(n: number, p: number, g: number, m: number, v: number, x: number, decay: number, wd: number, beta1: number, omb1: number, beta2: number, omb2: number, bc2Sqrt: number, eps: number, negStep: number, flags: number): void;
  adamStepF64: SimdExports['adamStepF32'];
  firstBadIndex(n: number, idx: number, stride: number, wide: number, size: number): number;
  indexSelectRows(j0: number, j1: number, rowBytes: number, out: number, src: number, srcStride: number, idx: number, stride: number, wide: number): void;
  indexAddRowsF32(n: number, c0: number, c1: number, t: number, tStride: number, s: number, sStride: number, idx: number, stride: number, wide: number, alpha: number): void;
  indexAddRowsF64: SimdExports['indexAddRowsF32'];
  planeSumsF32(x: number, y: number, w: number, shift: number, out: number, P: number, len: number, flags: number): void;
  planeSumsF64: SimdExports['planeSumsF32'];
  planeAffineF32(o: number, x: number, y: number, w: number, A: number, B: number, C: number, P: number, len: number, flags: number): void;
  planeAffineF64: SimdExports['planeAffineF32'];
  rowNormalizeF32(o: number, x: number, mean: number, rstd: number, w: number, b: number, P: number, len: number, flags: number): void;
  rowNormalizeF64: SimdExports['rowNormalizeF32'];
  columnSumsF32(dy: number, x: number, mean: number, rstd: number, dw: number, db: number, P: number, len: number, cols: number): void;
  columnSumsF64: SimdExports['columnSumsF32'];
  layerNormF32(o: number, x: number, w: number, b: number, mean: number, rstd: number, wide: number, P: number, len: number, eps: number, flags: number): void;
  layerNormF64: SimdExports['layerNormF32'];
  layerNormBackwardF32(dx: number, dy: number, x: number, w: number, mean: number, rstd: number, wide: number, acc: number, dwOut: number, dbOut: number,
    P: number, len: number, flags: number): void;
  layerNormBackwardF64: SimdExports['layerNormBackwardF32'];
  gemmF64(m: number, n: number, k: number, alpha: number, a: number, rsA: number, csA: number, b: number, rsB: number,
    csB: number, beta: number, c: number, rsC: number, csC: number, work: number): void;
}

const REQUIRED: (keyof SimdExports)[] = [
  'relaxed', 'gemmWorkspaceBytes', 'gemmF32', 'gemmF64', 'binaryF32', 'binaryF64', 'binaryI32', 'compareI32', 'compareF32', 'compareF64', 'unaryF32', 'unaryF64',
  'whereF32', 'whereF64',
  'ternaryF32', 'ternaryF64',
  'whereF32', 'whereF64', 'whereI8', 'whereI16', 'binaryI8', 'binaryU8', 'binaryI16', 'binaryI64', 'compareI8', 'compareU8', 'compareI16', 'compareI64',
  'unaryI8', 'unaryU8', 'unaryI16', 'unaryI32', 'unaryI64',
  'sumF32', 'sumF64', 'sumChunksF32', 'sumChunksF64', 'sumRowsF32', 'sumRowsF64', 'sumColsF32', 'sumColsF64', 'sumColChunksF32', 'sumColChunksF64', 'sumColPartialsF32', 'sumColPartialsF64', 'maxF32', 'maxF64', 'minF32', 'minF64', 'im2colF32', 'im2colF64',
  'col2imF32', 'col2imF64', 'softmaxF32', 'softmaxF64',
  'maxPoolF32', 'maxPoolF64', 'avgPoolF32', 'avgPoolF64', 'avgPoolBackwardF32', 'avgPoolBackwardF64', 'maxPoolBackwardF32', 'maxPoolBackwardF64',
  'gatherF32', 'gatherF64', 'scatterF32', 'scatterF64',
  'sgdStepF32', 'sgdStepF64', 'adamStepF32', 'adamStepF64', 'firstBadIndex', 'indexSelectRows', 'indexAddRowsF32', 'indexAddRowsF64',
  'planeSumsF32', 'planeSumsF64', 'planeAffineF32', 'planeAffineF64', 'rowNormalizeF32', 'rowNormalizeF64', 'columnSumsF32', 'columnSumsF64',
  'layerNormF32', 'layerNormF64', 'layerNormBackwardF32', 'layerNormBackwardF64',
  'copyRow32', 'copyRow64', 'convertRowU8F32', 'convertRowF32F64', 'convertRowF64F32', 'fill32', 'fill64', 'fillBytes', 'copyBytes', 'softmaxBackwardF32', 'softmaxBackwardF64', 'argmaxF32', 'argmaxF64', 'argminF32', 'argminF64', 'logsumexpF32', 'logsumexpF64', 'powerSumF32', 'powerSumF64', 'powerSumRowsF32', 'powerSumRowsF64', 'logsumexpRowsF32', 'logsumexpRowsF64', 'nanRowsF32', 'nanRowsF64', 'extremeRowsF32', 'extremeRowsF64', 'extremeColsF32', 'extremeColsF64', 'colMomentsF32', 'colMomentsF64', 'logsumexpColsF32', 'logsumexpColsF64', 'prodF32', 'prodF64', 'accumulateColsF32', 'accumulateColsF64',
  'addChannelBiasF32', 'addChannelBiasF64', 'convForwardF32', 'convForwardF64', 'convTransposeF32', 'convTransposeF64',
  'convWeightGradF32', 'convWeightGradF64', 'sumPartialsF32', 'sumPartialsF64',
  'nllFirstBadTarget', 'nllForwardF32', 'nllForwardF64', 'nllBackwardF32', 'nllBackwardF64',
];
const FILES: Record<Exclude<CpuKernels, 'ts'>, string> = { relaxed: 'simd-relaxed.wasm', simd: 'simd.wasm' };

let heap: CpuHeap | null = null;
let active: SimdExports | null = null;
let activeKind: CpuKernels = 'ts';
const instances = new Map<string, SimdExports | null>();
const modules = new Map<string, WebAssembly.Module>();
const pools = new Map<string, WasmPool | null>();
let numThreads = 0; // 0: not yet decided (the number of cores, on first use)
let gemmWork = 0;

interface NodeProcess {
  env: Record<string, string | undefined>;
  getBuiltinModule?(id: string): unknown;
}
const nodeProcess = (globalThis as { process?: NodeProcess }).process;

function readBinary(file: string): Uint8Array<ArrayBuffer> | null {
  const fs = nodeProcess?.getBuiltinModule?.('node:fs') as typeof import('node:fs') | undefined;
  if (!fs) return null;
  try {
    return new Uint8Array(fs.readFileSync(new URL(`../../wasm/${file}`, import.meta.url)));
  } catch {
    return null;
  }
}

let flagSet = false;
function enableRelaxedSimd(): void {
  if (flagSet) return;
  flagSet = true;
  const v8 = nodeProcess?.getBuiltinModule?.('node:v8') as typeof import('node:v8') | undefined;
  v8?.setFlagsFromString('--experimental-wasm-relaxed-simd');
}

/** The instance of one build, or null when it cannot run here (cached). */
function instance(kind: Exclude<CpuKernels, 'ts'>): SimdExports | null {
  if (instances.has(kind)) return instances.get(kind)!;
  let exports: SimdExports | null = null;
  if (kind === 'relaxed') enableRelaxedSimd();
  const bytes = readBinary(FILES[kind]);
  if (bytes && heap && WebAssembly.validate(bytes)) {
    const module = new WebAssembly.Module(bytes);
    modules.set(kind, module);
    const ex = new WebAssembly.Instance(module, { env: { memory: heap.memory } }).exports as unknown as SimdExports;
    // A binary older than these sources lacks kernels: run the TS ones rather than crash.
    if (REQUIRED.every((name) => typeof ex[name] === 'function')) exports = ex;
  }
  instances.set(kind, exports);
  return exports;
}

/**
 * Chooses the CPU kernels: 'auto' (the best build that loads, else TS), 'ts', 'simd' or 'relaxed'.
 * Returns the kernels now active.
 */
export function setCpuKernels(choice: CpuKernelsChoice): CpuKernels {
  if (!heap) throw new RuntimeError('setCpuKernels: the CPU backend is not initialised');
  if (choice === 'ts') {
    active = null;
    activeKind = 'ts';
    return activeKind;
  }
  if (choice === 'auto') {
    for (const kind of ['relaxed', 'simd'] as const) {
      const ex = instance(kind);
      if (ex) return use(kind, ex);
    }
    active = null;
    activeKind = 'ts';
    return activeKind;
  }
  if (choice !== 'simd' && choice !== 'relaxed') {
    throw new RuntimeError(`setCpuKernels: expected 'auto', 'ts', 'simd' or 'relaxed', but got '${String(choice)}'`);
  }
  const ex = instance(choice);
  if (!ex) {
    throw new RuntimeError(
      `setCpuKernels: the '${choice}' WebAssembly build cannot run here (wasm/${FILES[choice]} missing, ` +
        'not loadable synchronously, or rejected by WebAssembly.validate); run the package build to compile it',
    );
  }
  return use(choice, ex);
}

function use(kind: CpuKernels, ex: SimdExports): CpuKernels {
  active = ex;
  activeKind = kind;
  return kind;
}

/** The kernels now active: 'relaxed', 'simd' or 'ts'. */
export function cpuKernels(): CpuKernels {
  return activeKind;
}

/** The active wasm exports, or null when the TS kernels are in use. */
export function simd(): SimdExports | null {
  return active;
}

/** Scratch block for GEMM packing, taken from the heap on first use; one per thread. */
export function gemmWorkspace(ex: SimdExports, thread = 0): number {
  if (thread > 0) return heap!.scratch(`gemm.${thread}`, ex.gemmWorkspaceBytes());
  if (gemmWork === 0) gemmWork = heap!.scratch('gemm', ex.gemmWorkspaceBytes());
  return gemmWork;
}

/**
 * Threads the CPU kernels may use (the caller's plus workers), as `torch.setNumThreads`: default
 * the number of cores. Results do not depend on it.
 */
export function setNumThreads(n: number): void {
  if (!Number.isInteger(n) || n <= 0) throw new RuntimeError(`set_num_threads expects a positive integer, but got ${String(n)}`);
  numThreads = Math.min(n, 64);
}

export function getNumThreads(): number {
  if (numThreads === 0) {
    const os = nodeProcess?.getBuiltinModule?.('node:os') as typeof import('node:os') | undefined;
    numThreads = Math.max(1, Math.min(64, os?.availableParallelism?.() ?? 1));
  }
  return numThreads;
}

/** The worker pool of the active build, or null (one thread, TS kernels, or no worker_threads). */
export function pool(): WasmPool | null {
  if (activeKind === 'ts' || getNumThreads() < 2) return null;
  let p = pools.get(activeKind);
  if (p === undefined) {
    const wt = nodeProcess?.getBuiltinModule?.('node:worker_threads') as typeof import('node:worker_threads') | undefined;
    const module = modules.get(activeKind);
    p = wt && module && heap ? new WasmPool(module, heap.memory, wt.Worker as never, 63) : null;
    pools.set(activeKind, p);
  }
  return p;
}

/** Whether a typed array lies in the CPU heap's memory (so wasm kernels can address it). */
export function inHeap(arr: ArrayBufferView): boolean {
  return heap!.owns(arr.buffer);
}

/** Called once by the package entry with the device's heap; applies TORCHTS_CPU_KERNELS. */
export function installSimd(h: CpuHeap): void {
  heap = h;
  const env = nodeProcess?.env?.TORCHTS_CPU_KERNELS?.trim();
  setCpuKernels((env || 'auto') as CpuKernelsChoice);
}
