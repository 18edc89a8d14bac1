import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import '@torchts/backend-cpu';
import '@torchts/autograd';
import { Tensor, ValueError, readNumbers, tensor } from '@torchts/core';
import { noGrad } from '@torchts/autograd';
import {
  BatchNorm1d, Linear, Sequential, Tanh, isLegacyCheckpoint, isParameter, load, loadFile, loadLegacyCheckpoint,
  loadPytorchCheckpoint,
} from '../src/index.js';
import { pickle, py } from '../src/serialization/pickle.js';
import type { PickleNode } from '../src/serialization/pickle.js';
import { concatBytes } from '../src/serialization/bytes.js';
import { expectMatches, flat, fuzzLoad, readManifest, seededRandom } from './serialization-helpers.js';

const FIX = join(dirname(fileURLToPath(import.meta.url)), 'fixtures', 'serialization', 'legacy');
const manifest = readManifest(join(FIX, 'manifest.json'));
const fixture = (name: string) => new Uint8Array(readFileSync(join(FIX, name)));

/** A legacy file assembled here, to reach the checks PyTorch's own writer never trips. */
function legacyFile(obj: PickleNode, keys: string[], data: [number | bigint, Uint8Array][], sysInfo?: PickleNode): Uint8Array {
  const info = sysInfo ?? py.dict([[py.str('protocol_version'), py.int(1001)], [py.str('little_endian'), py.bool(true)]]);
  const count = (n: number | bigint) => {
    const b = new Uint8Array(8);
    new DataView(b.buffer).setBigInt64(0, BigInt(n), true);
    return b;
  };
  return concatBytes([
    pickle(py.int(0x1950a86a20f9469cfc6cn)), pickle(py.int(1001)), pickle(info), pickle(obj), pickle(py.list(keys.map(py.str))),
    ...data.flatMap(([n, bytes]) => [count(n), bytes]),
  ]);
}
const storage = (key: string, numel: number, view: PickleNode = py.none(), type = 'FloatStorage') =>
  py.persid(py.tuple([py.str('storage'), py.global('torch', type), py.str(key), py.str('cpu'), py.int(numel), view]));
const rebuild = (s: PickleNode, size: number[], requiresGrad = false) => py.call('torch._utils', '_rebuild_tensor_v2', [
  s, py.int(0), py.tuple(size.map(py.int)), py.tuple(size.map(() => py.int(1))), py.bool(requiresGrad), py.call('collections', 'OrderedDict', []),
]);
const f32 = (...v: number[]) => new Uint8Array(new Float32Array(v).buffer);

describe('legacy torch.save files (PyTorch 1.13, _use_new_zipfile_serialization=False)', () => {
  it('loads a state dict with every dtype, offset and transposed views sharing storages, 0-d and empty tensors', () => {
    const bytes = fixture('state_dict.pt');
    expect(isLegacyCheckpoint(bytes)).toBe(true);
    const sd = load(bytes) as Map<string, Tensor>;
    expect([...sd.keys()]).toEqual(Object.keys(manifest['state_dict.pt']!));
    expectMatches(sd, manifest['state_dict.pt']!, true);
    sd.get('fc.weight')!.zero_();
    expect(Array.from(readNumbers(sd.get('fc.weight_t')!)).every((v) => v === 0)).toBe(true);
    expect(sd.get('scalar')!.ndim).toBe(0);
  });

  it('loads nested containers, Python scalars, parameters and requires_grad leaves', async () => {
    const obj = (await loadFile(join(FIX, 'nested.pt'))) as Map<string, unknown>;
    expect(obj.get('epoch')).toBe(3);
    expect(obj.get('lr')).toBe(0.125);
    expect(obj.get('big')).toBe(2n ** 60n);
    expect(obj.get('neg')).toBe(-(2 ** 40));
    expect(obj.get('name')).toBe('adam');
    expect(obj.get('flags')).toEqual([true, null, false]);
    expect(obj.get('betas')).toEqual([0.9, 0.999]);
    const model = obj.get('model') as Map<string, Tensor>;
    expect(isParameter(model.get('w')!)).toBe(true);
    expect(isParameter(model.get('frozen')!)).toBe(true);
    expect(isParameter(obj.get('leaf') as Tensor)).toBe(false);
    // The same tensor pickled twice is one object, as in PyTorch.
    const history = obj.get('history') as Tensor[];
    expect(history[2]).toBe(history[0]);
    expectMatches(flat(obj), manifest['nested.pt']!, true);
  });

  it('loads a module state dict (OrderedDict with _metadata) that reproduces PyTorch outputs', () => {
    const sd = loadPytorchCheckpoint(fixture('module.pt')) as Map<string, Tensor>;
    expectMatches(sd, manifest['module.pt']!, true);
    const net = new Sequential(new Linear(3, 4), new BatchNorm1d(4), new Tanh(), new Linear(4, 2));
    const { missingKeys, unexpectedKeys } = net.loadStateDict(sd);
    expect([missingKeys, unexpectedKeys]).toEqual([[], []]);
    net.eval();
    const io = manifest['module.pt:io']!;
    const x = tensor(io.input!.values).reshape(io.input!.shape);
    const y = noGrad(() => net.call(x) as Tensor);
    const want = io.output!.values;
    Array.from(readNumbers(y)).forEach((v, k) => expect(v).toBeCloseTo(want[k]!, 5));
  });

  it('reads files pickled with protocol 4 and storage views of very old releases', () => {
    expectMatches(flat(load(fixture('proto4.pt'))), manifest['proto4.pt']!, true);
    // PyTorch gives a storage view its own storage object; here it is the root storage at an offset.
    const views = load(fixture('storage_view.pt')) as Map<string, Tensor>;
    expectMatches(views, manifest['storage_view.pt']!, false);
    expect(views.get('view')!._storage).toBe(views.get('whole')!._storage);
    expect(views.get('view')!._offset).toBe(3);
    views.get('whole')!.fill_(7);
    expect(Array.from(readNumbers(views.get('view_again')!))).toEqual([7, 7, 7, 7, 7]);
  });

  it('reads state dicts in the layout PyTorch 0.3 wrote under Python 2 (byte strings, OrderedDict(items), _rebuild_tensor)', () => {
    const sd = load(fixture('py2_state_dict.pt')) as Map<string, Tensor>;
    expect([...sd.keys()]).toEqual(Object.keys(manifest['py2_state_dict.pt']!));
    expectMatches(sd, manifest['py2_state_dict.pt']!, true);
    const badItems = legacyFile(py.call('collections', 'OrderedDict', [py.list([py.list([py.str('a')])])]), [], []);
    expect(() => load(badItems)).toThrow(/OrderedDict\(\) takes no arguments or one list of \[key, value\] pairs/);
  });

  it('explains the variants it refuses', () => {
    const good = fixture('proto4.pt');
    // sys_info's little_endian flag: NEWTRUE -> NEWFALSE.
    const bigEndian = good.slice();
    const at = Buffer.from(bigEndian).indexOf('little_endian') + 'little_endian'.length;
    expect(bigEndian[at + 1]).toBe(0x88);
    bigEndian[at + 1] = 0x89;
    expect(() => load(bigEndian)).toThrow(/written on a big-endian machine, which is not supported/);
    const text = (s: string) => new Uint8Array([...s].map((c) => c.charCodeAt(0)));
    expect(() => load(text('L119547037146038801333356L\n.K\x01.'))).toThrow(/pickled with protocol 0 or 1/);
    const tar = new Uint8Array(1024);
    tar.set(text('ustar'), 257);
    expect(() => load(tar)).toThrow(/tar-based torch.save format/);
    expect(() => loadPytorchCheckpoint(text('hello world'))).toThrow(/not a PyTorch checkpoint: neither a zip archive .* nor the legacy format/);
    const version = concatBytes([pickle(py.int(0x1950a86a20f9469cfc6cn)), pickle(py.int(1000))]);
    expect(() => load(version)).toThrow(/invalid legacy protocol version 1000/);
    const noFlag = legacyFile(py.none(), [], [], py.dict([]));
    expect(() => load(noFlag)).toThrow(/sys_info\) is malformed/);
    const code = legacyFile(py.call('os', 'system', [py.str('ls')]), [], []);
    expect(() => load(code)).toThrow(/refusing global 'os.system'/);
    expect(() => load(fixture('whole_module.pt'))).toThrow(/refusing global 'cases.serialization_legacy.Tiny': classes are never instantiated, so a whole pickled model \(torch.save\(model\)\) cannot be read; save model.state_dict\(\) instead/);
    const globalInHeader = legacyFile(py.none(), [], [], py.call('collections', 'OrderedDict', []));
    expect(() => load(globalInHeader)).toThrow(/refusing global 'collections.OrderedDict'/);
  });

  it('checks element counts against the file before allocating, and every storage against the key list', () => {
    const one = (numel: number, keys: string[], data: [number | bigint, Uint8Array][]) =>
      () => loadLegacyCheckpoint(legacyFile(rebuild(storage('k', numel), [numel]), keys, data));
    expect(one(1e15, ['k'], [[1e15, f32(1)]])).toThrow(/storage 'k' declares 1000000000000000 float32 elements \(4000000000000000 bytes\), more than the \d+ bytes left/);
    expect(one(2, ['k'], [[3, f32(1, 2, 3)]])).toThrow(/storage 'k' has 3 elements in the file but the pickle declares 2/);
    expect(one(2, ['k'], [[-1n, f32(1, 2)]])).toThrow(/has -1 elements in the file/);
    const cut = legacyFile(rebuild(storage('k', 2), [2]), ['k'], [[2, f32(1, 2)]]);
    expect(() => load(cut.subarray(0, cut.length - 1))).toThrow(/truncated: storage 'k' needs 8 bytes at byte \d+, 7 remain/);
    expect(() => load(cut.subarray(0, cut.length - 9))).toThrow(/truncated: storage 'k' has no element count/);
    expect(one(2, [], [[2, f32(1, 2)]])).toThrow(/storage 'k' is used but its data is not in the file/);
    expect(one(2, ['k', 'j'], [[2, f32(1, 2)]])).toThrow(/holds data for storage 'j', which nothing uses/);
    expect(one(2, ['k', 'k'], [[2, f32(1, 2)]])).toThrow(/names a storage twice/);
    expect(Array.from(readNumbers(one(2, ['k'], [[2, f32(1, 2)]])() as Tensor))).toEqual([1, 2]);
    const twoTypes = py.list([rebuild(storage('k', 2), [2]), rebuild(storage('k', 1, py.none(), 'DoubleStorage'), [1])]);
    expect(() => load(legacyFile(twoTypes, ['k'], [[2, f32(1, 2)]]))).toThrow(/storage 'k' is used with two types/);
    const outside = rebuild(storage('k', 4, py.tuple([py.str('v'), py.int(3), py.int(2)])), [1]);
    expect(() => load(legacyFile(outside, ['k'], [[4, f32(1, 2, 3, 4)]]))).toThrow(/storage view 'v' \(offset 3, 2 elements\) lies outside storage 'k', which has 4/);
    const past = rebuild(storage('k', 4, py.tuple([py.str('v'), py.int(1), py.int(2)])), [3]);
    expect(() => load(legacyFile(past, ['k'], [[4, f32(1, 2, 3, 4)]]))).toThrow(/reaches element 2 of storage 'v', which has 2/);
    const intGrad = rebuild(storage('k', 1, py.none(), 'LongStorage'), [1], true);
    expect(() => load(legacyFile(intGrad, ['k'], [[1, new Uint8Array(8)]]))).toThrow(/a int64 tensor is marked requires_grad; only floating point tensors can require gradients/);
    const complex = rebuild(storage('k', 1, py.none(), 'ComplexFloatStorage'), [1]);
    expect(() => load(legacyFile(complex, ['k'], [[1, f32(1, 2)]]))).toThrow(/refusing global 'torch.ComplexFloatStorage': torchts has no dtype for this storage type/);
  });

  describe('corrupt input', () => {
    const rand = seededRandom(4242);
    for (const name of ['state_dict.pt', 'nested.pt', 'storage_view.pt', 'py2_state_dict.pt']) {
      it(`${name}: truncated and mutated`, () => fuzzLoad(fixture(name), `legacy/${name}`, rand));
    }
    it('every truncation of a small file fails cleanly', () => {
      const good = fixture('proto4.pt');
      for (let n = 0; n < good.length; n++) expect(() => load(good.subarray(0, n)), `truncated to ${n}`).toThrow(ValueError);
    });
  });
});
