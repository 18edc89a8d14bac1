import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import '@torchts/backend-cpu';
import '@torchts/autograd';
import { Tensor, arange, ones, randn, readNumbers, tensor, zeros } from '@torchts/core';
import {
  Module, Parameter, isParameter, load, loadFile, loadNpz, loadPytorchCheckpoint, loadSafetensors, save, saveFile,
  saveNpz, savePytorchCheckpoint, saveSafetensors, safetensorsMetadata,
} from '../src/index.js';
import { writeZip } from '../src/serialization/zip.js';
import { pickle, py } from '../src/serialization/pickle.js';
import { expectMatches, flat, fuzzLoad, readManifest, seededRandom, tryLoad } from './serialization-helpers.js';

const HERE = dirname(fileURLToPath(import.meta.url));
const FIX = join(HERE, 'fixtures', 'serialization');
const ROOT = join(HERE, '..', '..', '..');
const manifest = readManifest(join(FIX, 'manifest.json'));
const fixture = (name: string) => new Uint8Array(readFileSync(join(FIX, name)));

describe('PyTorch checkpoints (torch.save zip format)', () => {
  it('loads a state dict with views, shared storages and every dtype', () => {
    const sd = loadPytorchCheckpoint(fixture('state_dict.pt'));
    expect(sd).toBeInstanceOf(Map);
    expect([...(sd as Map<string, Tensor>).keys()]).toEqual(Object.keys(manifest['state_dict.pt']!));
    expectMatches(sd as Map<string, Tensor>, manifest['state_dict.pt']!, true);
    // Shared storage stays shared: writing through one view shows in the other.
    const m = sd as Map<string, Tensor>;
    m.get('fc.weight')!.zero_();
    expect(Array.from(readNumbers(m.get('fc.weight_t')!)).every((v) => v === 0)).toBe(true);
  });
  it('loads nested containers, scalars and parameters', () => {
    const obj = load(fixture('nested.pt')) as Map<string, unknown>;
    expect(obj.get('epoch')).toBe(3);
    expect(obj.get('lr')).toBe(0.125);
    expect(obj.get('big')).toBe(2n ** 60n);
    expect(obj.get('name')).toBe('adam');
    expect(obj.get('flags')).toEqual([true, null, false]);
    expect(obj.get('betas')).toEqual([0.9, 0.999]);
    const w = (obj.get('model') as Map<string, Tensor>).get('w')!;
    expect(isParameter(w)).toBe(true);
    expect(w.requiresGrad).toBe(true);
    expectMatches(flat(obj), manifest['nested.pt']!, true);
  });
  it('round-trips through savePytorchCheckpoint, keeping views and sharing', () => {
    const sd = loadPytorchCheckpoint(fixture('state_dict.pt')) as Map<string, Tensor>;
    const again = loadPytorchCheckpoint(savePytorchCheckpoint(sd));
    expectMatches(again as Map<string, Tensor>, manifest['state_dict.pt']!, true);
    const nested = load(save(load(fixture('nested.pt')), { format: 'pt' })) as Map<string, unknown>;
    expect(nested.get('big')).toBe(2n ** 60n);
    expectMatches(flat(nested), manifest['nested.pt']!, true);
  });
  it('refuses code-running globals and unknown opcodes with clear errors', () => {
    const archive = (pkl: string) => writeZip([['archive/data.pkl', new Uint8Array([...pkl].map((c) => c.charCodeAt(0)))], ['archive/version', new Uint8Array([0x33, 0x0a])]]);
    expect(() => loadPytorchCheckpoint(archive('\x80\x02cos\nsystem\nX\x02\x00\x00\x00lsR.'))).toThrow(/refusing global 'os.system'/);
    expect(() => loadPytorchCheckpoint(archive('\x80\x02ctorch.storage\n_load_from_bytes\n)R.'))).toThrow(/refusing global 'torch.storage._load_from_bytes': it would run torch.load/);
    expect(() => loadPytorchCheckpoint(archive('\x80\x02(ios\nsystem\n.'))).toThrow(/unsupported opcode INST/);
    expect(() => loadPytorchCheckpoint(archive('\x80\x02}q\x00'))).toThrow(/truncated data/);
    expect(() => loadPytorchCheckpoint(archive('\x80\x02ccollections\nOrderedDict\nq\x00.'))).toThrow(/holds the global collections.OrderedDict/);
        expect(() => loadPytorchCheckpoint(writeZip([['a/b', new Uint8Array(1)]]))).toThrow(/no data.pkl/);
  });
  it('handles hostile sizes and nesting without huge allocations or stack overflows', () => {
    const storage = py.persid(py.tuple([py.str('storage'), py.global('torch', 'FloatStorage'), py.str('0'), py.str('cpu'), py.int(1e15)]));
    const pkl = pickle(py.call('torch._utils', '_rebuild_tensor_v2', [storage, py.int(0), py.tuple([py.int(1e15)]), py.tuple([py.int(1)]), py.bool(false), py.call('collections', 'OrderedDict', [])]));
    expect(() => loadPytorchCheckpoint(writeZip([['a/data.pkl', pkl], ['a/data/0', new Uint8Array(8)]]))).toThrow(/declares 1000000000000000 float32 elements .* but its record has 8 bytes/);
    const depth = 200000;
    const deep = new Uint8Array(2 + depth * 2 + 1);
    deep.set([0x80, 0x02]);
    deep.fill(0x5d, 2, 2 + depth); // EMPTY_LIST x depth
    deep.fill(0x61, 2 + depth, 1 + 2 * depth); // APPEND x (depth - 1)
    deep[1 + 2 * depth] = 0x2e;
    expect(Array.isArray(loadPytorchCheckpoint(writeZip([['a/data.pkl', deep.subarray(0, 2 + 2 * depth)]])))).toBe(true);
  });
  it('rejects tensors that reach outside their storage', () => {
    const bytes = savePytorchCheckpoint({ x: arange(6) });
    // Patch the pickled size tuple (6,) -> (7,): BININT1 6 inside the TUPLE1 after the offset.
    const text = Array.from(bytes);
    const at = text.findIndex((b, k) => b === 0x4b && text[k + 1] === 6 && text[k + 2] === 0x85);
    bytes[at + 1] = 7;
    // CRC must be fixed for the pickle to be read: rebuild the archive with the patched pickle.
    const names = ['archive/data.pkl', 'archive/data/0', 'archive/version'];
    const entries = new Map<string, Uint8Array>();
    let pos = 0;
    for (const name of names) {
      pos = bytes.indexOf(0x50, pos);
      while (!(bytes[pos] === 0x50 && bytes[pos + 1] === 0x4b && bytes[pos + 2] === 3 && bytes[pos + 3] === 4)) pos = bytes.indexOf(0x50, pos + 1);
      const dv = new DataView(bytes.buffer, bytes.byteOffset);
      const size = dv.getUint32(pos + 18, true);
      const start = pos + 30 + dv.getUint16(pos + 26, true) + dv.getUint16(pos + 28, true);
      entries.set(name, bytes.slice(start, start + size));
      pos = start + size;
    }
    expect(() => loadPytorchCheckpoint(writeZip(entries))).toThrow(/reaches element 6 of storage '0', which has 6/);
  });
});

describe('safetensors', () => {
  it('reads a file written in the reference layout', () => {
    const sd = loadSafetensors(fixture('state_dict.safetensors')) as Map<string, Tensor>;
    expect(sd).toBeInstanceOf(Map);
    expectMatches(sd, manifest['state_dict.safetensors']!, false);
    expect(safetensorsMetadata(fixture('state_dict.safetensors'))).toEqual({ format: 'pt' });
  });
  it('writes the reference layout: aligned header, larger dtypes first, then by name', () => {
    const bytes = saveSafetensors(new Map([['b', ones(2)], ['a', ones(2)], ['m', zeros(1, { dtype: 'bool' })], ['z', ones(1, { dtype: 'float64' })]]), { metadata: { format: 'pt' } });
    const n = Number(new DataView(bytes.buffer).getBigUint64(0, true));
    expect((8 + n) % 8).toBe(0);
    const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + n))) as Record<string, { data_offsets: number[] }>;
    expect(Object.keys(header)).toEqual(['__metadata__', 'z', 'a', 'b', 'm']);
    expect(header.z!.data_offsets).toEqual([0, 8]);
    expect(header.m!.data_offsets).toEqual([24, 25]);
    expect(safetensorsMetadata(bytes).format).toBe('pt');
  });
  it('round-trips tensors, state dicts and nested objects (the default format)', () => {
    const t = randn(2, 3).t();
    const single = load(save(t)) as Tensor;
    expect(Array.from(readNumbers(single))).toEqual(Array.from(readNumbers(t)));
    const obj = { model: new Map([['w', t], ['b', tensor([1, 2], { dtype: 'int64' })]]), steps: [arange(3), { h: tensor(true) }], epoch: 4, tag: 'x' };
    const back = load(save(obj)) as typeof obj;
    expect(back.model).toBeInstanceOf(Map);
    expect(back.epoch).toBe(4);
    expect(back.tag).toBe('x');
    expect([...flat(back).keys()]).toEqual([...flat(obj).keys()]);
    for (const [k, v] of flat(obj)) expect(Array.from(readNumbers(flat(back).get(k)!))).toEqual(Array.from(readNumbers(v)));
    for (const dtype of ['float16', 'bfloat16', 'int8', 'int16', 'int32', 'uint8'] as const) {
      const x = tensor([1, 2, 3], { dtype });
      const y = load(save({ x })) as { x: Tensor };
      expect(y.x.dtype).toBe(dtype);
      expect(Array.from(readNumbers(y.x))).toEqual([1, 2, 3]);
    }
    expect(() => save({ 'a.b': ones(1), a: { b: ones(1) } })).toThrow(/two tensors would be stored under the name 'a.b'/);
  });
  it('rejects bad headers without allocating', () => {
    const header = (h: string, data = 0) => {
      const text = new TextEncoder().encode(h);
      const b = new Uint8Array(8 + text.length + data);
      new DataView(b.buffer).setBigUint64(0, BigInt(text.length), true);
      b.set(text, 8);
      return b;
    };
    expect(() => loadSafetensors(new Uint8Array(4))).toThrow(/too short/);
    const huge = new Uint8Array(16);
    new DataView(huge.buffer).setBigUint64(0, 2n ** 60n, true);
    expect(() => loadSafetensors(huge)).toThrow(/header length .* is too large/);
    expect(() => loadSafetensors(header('{"a": '))).toThrow(/not valid JSON/);
    expect(() => loadSafetensors(header('{"a":{"dtype":"F32","shape":[1000000000,1000000000],"data_offsets":[0,8]}}', 8))).toThrow(/needs .* bytes, its data_offsets span 8/);
    expect(() => loadSafetensors(header('{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}', 4))).toThrow(/outside the 4-byte data section/);
    expect(() => loadSafetensors(header('{"a":{"dtype":"C64","shape":[1],"data_offsets":[0,8]}}', 8))).toThrow(/unsupported dtype "C64"/);
  });
});

describe('.npz', () => {
  it('reads np.savez output and round-trips', () => {
    const arrays = loadNpz(fixture('arrays.npz'));
    expectMatches(arrays, manifest['arrays.npz']!, false);
    expectMatches(load(saveNpz(arrays)) as Map<string, Tensor>, manifest['arrays.npz']!, false);
  });
});

describe('files', () => {
  it('saveFile/loadFile pick the format from the extension and write atomically', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'torchts-ser-'));
    const sd = new Map([['w', arange(4).float()]]);
    for (const name of ['m.safetensors', 'm.pt', 'm.npz']) {
      await saveFile(join(dir, name), sd);
      const back = (await loadFile(join(dir, name))) as Map<string, Tensor>;
      expect(Array.from(readNumbers(back.get('w')!))).toEqual([0, 1, 2, 3]);
    }
    expect(readFileSync(join(dir, 'm.pt'))[0]).toBe(0x50);
    // A failing save leaves the previous file untouched and no temporary file behind.
    const before = readFileSync(join(dir, 'm.safetensors'));
    const dead = ones(2);
    dead.dispose();
    await expect(saveFile(join(dir, 'm.safetensors'), { dead })).rejects.toThrow(/disposed/);
    await expect(saveFile(join(dir, 'missing-dir', 'x.safetensors'), sd)).rejects.toThrow();
    expect(readFileSync(join(dir, 'm.safetensors')).equals(before)).toBe(true);
    expect(readdirSync(dir).sort()).toEqual(['m.npz', 'm.pt', 'm.safetensors']);
  });
  it('saves and restores a Module state dict', () => {
    class Net extends Module {
      declare w: Tensor;
      constructor() {
        super();
        this.w = Parameter(randn(3));
        this.registerBuffer('count', zeros(1, { dtype: 'int64' }));
      }
      forward(x: Tensor): Tensor {
        return x.mul(this.w);
      }
    }
    const a = new Net();
    const b = new Net();
    for (const format of ['safetensors', 'pt'] as const) {
      b.loadStateDict(load(save(a.stateDict(), { format })) as Map<string, Tensor>);
      expect(Array.from(readNumbers(b.w))).toEqual(Array.from(readNumbers(a.w)));
    }
  });
});

describe('corrupt input', () => {
  // Every truncation point and a few hundred random byte mutations must either load or throw a
  // ValueError that says what is wrong: never a crash, a hang or a huge allocation.
  const rand = seededRandom(12345);
  for (const name of ['state_dict.pt', 'nested.pt', 'state_dict.safetensors', 'arrays.npz']) {
    it(`${name}: truncated and mutated`, () => fuzzLoad(fixture(name), name, rand));
  }
  it('unpickler fuzz: mutated pickles inside valid archives', () => {
    const pt = fixture('nested.pt');
    const pkl = loadZipEntry(pt, 'nested/data.pkl');
    const data = ['nested/data/0', 'nested/data/1'].map((n) => [n, loadZipEntry(pt, n)] as [string, Uint8Array]);
    for (let k = 0; k < 300; k++) {
      const b = pkl.slice();
      const at = Math.floor(rand() * b.length);
      b[at] = Math.floor(rand() * 256);
      tryLoad(writeZip([['nested/data.pkl', b], ...data]), `pickle mutation ${k}`);
    }
  });
});

function loadZipEntry(zip: Uint8Array, name: string): Uint8Array {
  // The archives here are PyTorch's: find the entry through our reader.
  const { readZip } = zipModule;
  return readZip(zip).get(name)!.slice();
}
import * as zipModule from '../src/serialization/zip.js';

const torchAvailable = existsSync('/usr/bin/python3') && spawnSync('/usr/bin/python3', ['-c', 'import torch'], { timeout: 60000 }).status === 0;

describe('PyTorch reads what torchts writes', () => {
  it.skipIf(!torchAvailable)('torch.load(weights_only=True) of a torchts-written .pt matches', () => {
    const sd = loadPytorchCheckpoint(fixture('state_dict.pt')) as Map<string, Tensor>;
    // PyTorch 1.13's weights-only unpickler lacks BINFLOAT, so the float entries stay out here.
    const nested = loadPytorchCheckpoint(fixture('nested.pt')) as Map<string, unknown>;
    nested.delete('lr');
    nested.delete('betas');
    const dir = mkdtempSync(join(tmpdir(), 'torchts-pt-'));
    for (const [name, obj, want] of [['sd', sd, manifest['state_dict.pt']], ['nested', nested, manifest['nested.pt']]] as const) {
      writeFileSync(join(dir, `${name}.pt`), savePytorchCheckpoint(obj));
      writeFileSync(join(dir, `${name}.json`), JSON.stringify(want));
      const r = spawnSync('/usr/bin/python3', [join(ROOT, 'tooling/fixtures/cases/serialization.py'), 'verify', join(dir, `${name}.pt`), join(dir, `${name}.json`)], { encoding: 'utf8', timeout: 120000 });
      expect(r.stderr + r.stdout).toMatch(/^OK/);
    }
  }, 180000);
});
