/**
 * Module descriptors: how datasets and functions reach worker threads, which cannot receive
 * functions or class instances. A descriptor names a module and one of its exports; each worker
 * imports the module itself.
 */
import { isAbsolute, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

/** A function exported by a module (`workerInitFn`, or a `collateFn` run in the workers). */
export interface ModuleExport {
  /** A file URL (e.g. `import.meta.url`), an absolute path, or a package specifier. */
  module: string | URL;
  /** Default: 'default'. */
  exportName?: string;
}

/**
 * A dataset made in each worker from a module export: a class (constructed with `new` and `args`),
 * a function (called with `args`, may be async) or a ready dataset object (no `args`).
 * `args` must be structured-cloneable (numbers, strings, arrays, typed arrays, plain objects).
 */
export interface WorkerDatasetSpec extends ModuleExport {
  args?: unknown[];
}

/** The specifier `import()` needs: file URLs as they are, absolute or ./relative paths made file URLs. */
export function moduleSpecifier(module: string | URL): string {
  const m = String(module);
  if (/^[a-z][a-z0-9+.-]*:/i.test(m) && !/^[a-z]:[\\/]/i.test(m)) return m;
  if (isAbsolute(m) || m.startsWith('./') || m.startsWith('../')) return pathToFileURL(resolve(m)).href;
  return m;
}

export async function loadExport(spec: ModuleExport): Promise<unknown> {
  const name = spec.exportName ?? 'default';
  const mod = (await import(moduleSpecifier(spec.module))) as Record<string, unknown>;
  if (!(name in mod)) throw new TypeError(`module '${String(spec.module)}' has no export '${name}'`);
  return mod[name];
}

export async function loadFunction(spec: ModuleExport, what: string): Promise<(...args: any[]) => unknown> {
  const fn = await loadExport(spec);
  if (typeof fn !== 'function') throw new TypeError(`${what}: export '${spec.exportName ?? 'default'}' of '${String(spec.module)}' is not a function`);
  return fn as (...args: any[]) => unknown;
}

function isClass(fn: Function): boolean {
  return /^class[\s{]/.test(Function.prototype.toString.call(fn));
}

/** Builds the dataset a spec describes. */
export async function instantiate(spec: WorkerDatasetSpec): Promise<unknown> {
  const exported = await loadExport(spec);
  const args = spec.args ?? [];
  if (typeof exported !== 'function') {
    if (args.length > 0) throw new TypeError(`export '${spec.exportName ?? 'default'}' of '${String(spec.module)}' is not a class or function, so it takes no args`);
    return exported;
  }
  return isClass(exported) ? Reflect.construct(exported, args) : await (exported as (...a: unknown[]) => unknown)(...args);
}

const specs = new WeakMap<object, WorkerDatasetSpec>();

/** Records how workers can rebuild `dataset` (datasetFromModule does this for you). */
export function setWorkerSpec(dataset: object, spec: WorkerDatasetSpec): void {
  specs.set(dataset, { ...spec, module: String(spec.module) });
}

export function workerSpecOf(dataset: object): WorkerDatasetSpec | undefined {
  return specs.get(dataset);
}

/**
 * Builds a dataset from a module export on this thread and remembers the descriptor, so a
 * DataLoader with `numWorkers > 0` can build the same dataset in each worker:
 * `const train = await datasetFromModule({ module: import.meta.url, exportName: 'Digits', args: [root] })`.
 */
export async function datasetFromModule<D extends object = any>(spec: WorkerDatasetSpec): Promise<D> {
  const dataset = (await instantiate(spec)) as D;
  if (dataset === null || typeof dataset !== 'object') throw new TypeError(`datasetFromModule: '${spec.exportName ?? 'default'}' did not give a dataset object`);
  setWorkerSpec(dataset, spec);
  return dataset;
}
