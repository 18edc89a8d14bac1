/**
 * A small pickle (protocol 2) writer for the objects PyTorch checkpoints hold: dicts/OrderedDicts,
 * lists, tuples, strings, ints, floats, bools, None, globals and persistent ids. What it writes is
 * accepted by torch.load(weights_only=True).
 */
import { ValueError } from '@torchts/core';
import { concatBytes, encodeUtf8 } from './bytes.js';

/** A Python object to emit. */
export type PickleNode =
  | { kind: 'none' }
  | { kind: 'bool'; value: boolean }
  | { kind: 'int'; value: number | bigint }
  | { kind: 'float'; value: number }
  | { kind: 'str'; value: string }
  | { kind: 'tuple'; items: PickleNode[] }
  | { kind: 'list'; items: PickleNode[] }
  | { kind: 'dict'; items: [PickleNode, PickleNode][] }
  /** `module.name(*args)`, e.g. OrderedDict() or _rebuild_tensor_v2(...); `items` then SETITEMS. */
  | { kind: 'call'; module: string; name: string; args: PickleNode[]; dictItems?: [PickleNode, PickleNode][] }
  | { kind: 'global'; module: string; name: string }
  | { kind: 'persid'; id: PickleNode };

export const py = {
  none: (): PickleNode => ({ kind: 'none' }),
  bool: (value: boolean): PickleNode => ({ kind: 'bool', value }),
  int: (value: number | bigint): PickleNode => ({ kind: 'int', value }),
  float: (value: number): PickleNode => ({ kind: 'float', value }),
  str: (value: string): PickleNode => ({ kind: 'str', value }),
  tuple: (items: PickleNode[]): PickleNode => ({ kind: 'tuple', items }),
  list: (items: PickleNode[]): PickleNode => ({ kind: 'list', items }),
  dict: (items: [PickleNode, PickleNode][]): PickleNode => ({ kind: 'dict', items }),
  global: (module: string, name: string): PickleNode => ({ kind: 'global', module, name }),
  call: (module: string, name: string, args: PickleNode[], dictItems?: [PickleNode, PickleNode][]): PickleNode =>
    ({ kind: 'call', module, name, args, dictItems }),
  persid: (id: PickleNode): PickleNode => ({ kind: 'persid', id }),
};

class Writer {
  private chunks: number[] = [];
  private parts: Uint8Array[] = [];
  byte(...b: number[]) {
    this.chunks.push(...b);
  }
  bytes(b: Uint8Array) {
    this.flush();
    this.parts.push(b);
  }
  private flush() {
    if (this.chunks.length) this.parts.push(Uint8Array.from(this.chunks));
    this.chunks = [];
  }
  u32(v: number) {
    this.byte(v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, (v >>> 24) & 0xff);
  }
  done(): Uint8Array {
    this.flush();
    return concatBytes(this.parts);
  }
}

function writeInt(w: Writer, v: number | bigint) {
  if (typeof v === 'number' && !Number.isSafeInteger(v)) throw new ValueError(`pickle: ${v} is not an integer`);
  const n = BigInt(v);
  if (n >= 0n && n < 256n) w.byte(0x4b, Number(n)); // BININT1
  else if (n >= 0n && n < 65536n) w.byte(0x4d, Number(n) & 0xff, Number(n) >> 8); // BININT2
  else if (n >= -(2n ** 31n) && n < 2n ** 31n) { w.byte(0x4a); w.u32(Number(BigInt.asUintN(32, n))); } // BININT
  else {
    // LONG1: minimal little-endian two's complement.
    const out: number[] = [];
    let x = n;
    for (;;) {
      out.push(Number(x & 0xffn));
      x >>= 8n;
      const signBit = (out[out.length - 1]! & 0x80) !== 0;
      if ((x === 0n && !signBit) || (x === -1n && signBit)) break;
    }
    w.byte(0x8a, out.length, ...out);
  }
}

function emit(w: Writer, node: PickleNode) {
  switch (node.kind) {
    case 'none': w.byte(0x4e); break;
    case 'bool': w.byte(node.value ? 0x88 : 0x89); break;
    case 'int': writeInt(w, node.value); break;
    case 'float': {
      const b = new Uint8Array(9);
      b[0] = 0x47;
      new DataView(b.buffer).setFloat64(1, node.value, false);
      w.bytes(b);
      break;
    }
    case 'str': {
      const s = encodeUtf8(node.value);
      w.byte(0x58); // BINUNICODE
      w.u32(s.length);
      w.bytes(s);
      break;
    }
    case 'tuple':
      if (node.items.length === 0) { w.byte(0x29); break; }
      if (node.items.length <= 3) {
        for (const it of node.items) emit(w, it);
        w.byte(0x84 + node.items.length); // TUPLE1..3
        break;
      }
      w.byte(0x28);
      for (const it of node.items) emit(w, it);
      w.byte(0x74);
      break;
    case 'list':
      w.byte(0x5d);
      if (node.items.length) {
        w.byte(0x28);
        for (const it of node.items) emit(w, it);
        w.byte(0x65); // APPENDS
      }
      break;
    case 'dict':
      w.byte(0x7d);
      emitItems(w, node.items);
      break;
    case 'global':
      w.bytes(encodeUtf8(`c${node.module}\n${node.name}\n`));
      break;
    case 'call':
      emit(w, py.global(node.module, node.name));
      emit(w, py.tuple(node.args));
      w.byte(0x52); // REDUCE
      if (node.dictItems) emitItems(w, node.dictItems);
      break;
    case 'persid':
      emit(w, node.id);
      w.byte(0x51); // BINPERSID
      break;
  }
}

function emitItems(w: Writer, items: [PickleNode, PickleNode][]) {
  if (!items.length) return;
  w.byte(0x28);
  for (const [k, v] of items) {
    emit(w, k);
    emit(w, v);
  }
  w.byte(0x75); // SETITEMS
}

/** Protocol-2 pickle bytes of `node`. */
export function pickle(node: PickleNode): Uint8Array {
  const w = new Writer();
  w.byte(0x80, 2);
  emit(w, node);
  w.byte(0x2e);
  return w.done();
}
