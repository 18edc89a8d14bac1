/**
 * A SAFE unpickler for the pickles inside PyTorch checkpoints. It interprets only the opcodes such
 * files contain and resolves only an allow-list of globals (OrderedDict, tensor/parameter rebuild
 * functions, typed storage classes) to built-in handlers: nothing from the file is ever executed.
 * Any other opcode or global is rejected with an error naming it.
 */
import { ValueError } from '@torchts/core';
import { dataView, decodeUtf8, ensure } from './bytes.js';

const FMT = 'pickle';

/** A resolved allow-listed global (what GLOBAL pushes). */
export class PyGlobal {
  constructor(readonly module: string, readonly name: string) {}
  get qualname(): string {
    return `${this.module}.${this.name}`;
  }
}

export type PyValue = unknown;

export interface UnpickleHooks {
  /** BINPERSID: turns a persistent id (e.g. PyTorch's storage tuple) into a value. */
  persistentLoad(pid: PyValue): PyValue;
  /** REDUCE with an allow-listed callable. */
  call(fn: PyGlobal, args: PyValue[]): PyValue;
  /** BUILD (setstate) on an object the hooks created. */
  build(obj: PyValue, state: PyValue): void;
  /** Whether GLOBAL may resolve `module.name` (others are rejected before anything happens). */
  allowGlobal(module: string, name: string): boolean;
  /** Extra explanation for a rejected global. */
  rejectReason?(module: string, name: string): string | undefined;
}

const MARK = Symbol('mark');

const OPNAMES: Record<number, string> = {
  0x28: 'MARK', 0x2e: 'STOP', 0x30: 'POP', 0x31: 'POP_MARK', 0x32: 'DUP', 0x46: 'FLOAT', 0x49: 'INT', 0x4a: 'BININT',
  0x4b: 'BININT1', 0x4c: 'LONG', 0x4d: 'BININT2', 0x4e: 'NONE', 0x50: 'PERSID', 0x51: 'BINPERSID', 0x52: 'REDUCE',
  0x53: 'STRING', 0x54: 'BINSTRING', 0x55: 'SHORT_BINSTRING', 0x56: 'UNICODE', 0x58: 'BINUNICODE', 0x61: 'APPEND',
  0x62: 'BUILD', 0x63: 'GLOBAL', 0x64: 'DICT', 0x7d: 'EMPTY_DICT', 0x65: 'APPENDS', 0x67: 'GET', 0x68: 'BINGET',
  0x69: 'INST', 0x6a: 'LONG_BINGET', 0x6c: 'LIST', 0x5d: 'EMPTY_LIST', 0x6f: 'OBJ', 0x70: 'PUT', 0x71: 'BINPUT',
  0x72: 'LONG_BINPUT', 0x73: 'SETITEM', 0x74: 'TUPLE', 0x29: 'EMPTY_TUPLE', 0x75: 'SETITEMS', 0x47: 'BINFLOAT',
  0x80: 'PROTO', 0x81: 'NEWOBJ', 0x82: 'EXT1', 0x83: 'EXT2', 0x84: 'EXT4', 0x85: 'TUPLE1', 0x86: 'TUPLE2',
  0x87: 'TUPLE3', 0x88: 'NEWTRUE', 0x89: 'NEWFALSE', 0x8a: 'LONG1', 0x8b: 'LONG4', 0x42: 'BINBYTES',
  0x43: 'SHORT_BINBYTES', 0x8c: 'SHORT_BINUNICODE', 0x8d: 'BINUNICODE8', 0x8e: 'BINBYTES8', 0x8f: 'EMPTY_SET',
  0x90: 'ADDITEMS', 0x91: 'FROZENSET', 0x92: 'NEWOBJ_EX', 0x93: 'STACK_GLOBAL', 0x94: 'MEMOIZE', 0x95: 'FRAME',
  0x96: 'BYTEARRAY8', 0x97: 'NEXT_BUFFER', 0x98: 'READONLY_BUFFER',
};

function opName(op: number): string {
  return OPNAMES[op] ?? `0x${op.toString(16).padStart(2, '0')}`;
}

/** Interprets `b` as a pickle and returns its top-level object. */
export function unpickle(b: Uint8Array, hooks: UnpickleHooks): PyValue {
  return unpickleAt(b, 0, hooks)[0];
}

/**
 * Interprets the pickle that starts at byte `start` of `b` (files such as PyTorch's legacy format
 * hold several pickles back to back) and returns its top-level object and the byte after its STOP.
 */
export function unpickleAt(b: Uint8Array, start: number, hooks: UnpickleHooks): [PyValue, number] {
  const dv = dataView(b);
  let pos = start;
  const stack: PyValue[] = [];
  const marks: number[] = [];
  const memo = new Map<number, PyValue>();

  const need = (n: number, what: string) => {
    ensure(pos + n <= b.length, FMT, () => `truncated data: ${what} at byte ${pos} needs ${n} bytes, ${b.length - pos} remain`);
  };
  const pop = (op: string): PyValue => {
    ensure(stack.length > 0 && stack[stack.length - 1] !== MARK, FMT, () => `${op} on an empty stack (or at a MARK)`);
    return stack.pop();
  };
  const top = (op: string): PyValue => {
    ensure(stack.length > 0 && stack[stack.length - 1] !== MARK, FMT, () => `${op} on an empty stack`);
    return stack[stack.length - 1];
  };
  const popMark = (op: string): PyValue[] => {
    ensure(marks.length > 0, FMT, () => `${op} without a preceding MARK`);
    const m = marks.pop()!;
    const items = stack.splice(m);
    items.shift(); // the MARK itself
    return items;
  };
  const str = (n: number, what: string): string => {
    need(n, what);
    const s = decodeUtf8(b.subarray(pos, pos + n), FMT, what);
    pos += n;
    return s;
  };
  const line = (what: string): string => {
    const end = b.indexOf(0x0a, pos);
    ensure(end >= 0 && end - pos < 1024, FMT, () => `truncated or oversized ${what}`);
    const s = decodeUtf8(b.subarray(pos, end), FMT, what);
    pos = end + 1;
    return s;
  };
  const resolveGlobal = (module: string, name: string): PyGlobal => {
    if (!hooks.allowGlobal(module, name)) {
      const why = hooks.rejectReason?.(module, name);
      throw new ValueError(`${FMT}: refusing global '${module}.${name}'${why ? `: ${why}` : ''} (only allow-listed globals are resolved; this unpickler never runs code)`);
    }
    return new PyGlobal(module, name);
  };
  const setItems = (target: PyValue, items: PyValue[], op: string) => {
    ensure(target instanceof Map, FMT, () => `${op} on a non-dict`);
    ensure(items.length % 2 === 0, FMT, () => `${op} with an odd number of items`);
    for (let k = 0; k < items.length; k += 2) (target as Map<PyValue, PyValue>).set(items[k], items[k + 1]);
  };
  const append = (target: PyValue, items: PyValue[], op: string) => {
    ensure(Array.isArray(target), FMT, () => `${op} on a non-list`);
    (target as PyValue[]).push(...items);
  };

  for (;;) {
    need(1, 'opcode');
    const at = pos;
    const op = b[pos++]!;
    switch (op) {
      case 0x80: // PROTO
        need(1, 'PROTO');
        ensure(b[pos]! <= 5, FMT, () => `unsupported pickle protocol ${b[pos]}`);
        pos += 1;
        break;
      case 0x95: // FRAME: only a length hint
        need(8, 'FRAME');
        pos += 8;
        break;
      case 0x2e: { // STOP
        ensure(stack.length === 1 && marks.length === 0, FMT, () => `STOP with ${stack.length} values on the stack (expected 1)`);
        return [stack[0], pos];
      }
      case 0x28: marks.push(stack.length); stack.push(MARK); break;
      case 0x7d: stack.push(new Map()); break;
      case 0x5d: stack.push([]); break;
      case 0x29: stack.push([]); break;
      case 0x74: stack.push(popMark('TUPLE')); break;
      case 0x85: stack.push([pop('TUPLE1')]); break;
      case 0x86: { const y = pop('TUPLE2'); const x = pop('TUPLE2'); stack.push([x, y]); break; }
      case 0x87: { const z = pop('TUPLE3'); const y = pop('TUPLE3'); const x = pop('TUPLE3'); stack.push([x, y, z]); break; }
      case 0x4e: stack.push(null); break;
      case 0x88: stack.push(true); break;
      case 0x89: stack.push(false); break;
      case 0x4a: need(4, 'BININT'); stack.push(dv.getInt32(pos, true)); pos += 4; break;
      case 0x4b: need(1, 'BININT1'); stack.push(b[pos]!); pos += 1; break;
      case 0x4d: need(2, 'BININT2'); stack.push(dv.getUint16(pos, true)); pos += 2; break;
      case 0x8a: { // LONG1: little-endian two's complement
        need(1, 'LONG1');
        const n = b[pos++]!;
        need(n, 'LONG1');
        let v = 0n;
        for (let k = n - 1; k >= 0; k--) v = (v << 8n) | BigInt(b[pos + k]!);
        if (n > 0 && b[pos + n - 1]! & 0x80) v -= 1n << BigInt(8 * n);
        pos += n;
        stack.push(v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v);
        break;
      }
      case 0x47: need(8, 'BINFLOAT'); stack.push(dv.getFloat64(pos, false)); pos += 8; break;
      // Python 2's str (what PyTorch under Python 2 wrote): read as UTF-8, as torch.load's default encoding does.
      case 0x55: need(1, 'SHORT_BINSTRING'); { const n = b[pos++]!; stack.push(str(n, 'SHORT_BINSTRING')); } break;
      case 0x54: {
        need(4, 'BINSTRING');
        const n = dv.getInt32(pos, true);
        ensure(n >= 0, FMT, () => `BINSTRING with negative length ${n}`);
        pos += 4;
        stack.push(str(n, 'BINSTRING'));
        break;
      }
      case 0x8c: need(1, 'SHORT_BINUNICODE'); { const n = b[pos++]!; stack.push(str(n, 'SHORT_BINUNICODE')); } break;
      case 0x58: need(4, 'BINUNICODE'); { const n = dv.getUint32(pos, true); pos += 4; stack.push(str(n, 'BINUNICODE')); } break;
      case 0x8d: {
        need(8, 'BINUNICODE8');
        const n = Number(dv.getBigUint64(pos, true));
        pos += 8;
        stack.push(str(n, 'BINUNICODE8'));
        break;
      }
      case 0x63: { // GLOBAL
        const module = line('GLOBAL module');
        const name = line('GLOBAL name');
        stack.push(resolveGlobal(module, name));
        break;
      }
      case 0x93: { // STACK_GLOBAL
        const name = pop('STACK_GLOBAL');
        const module = pop('STACK_GLOBAL');
        ensure(typeof module === 'string' && typeof name === 'string', FMT, () => 'STACK_GLOBAL needs two strings');
        stack.push(resolveGlobal(module, name));
        break;
      }
      case 0x51: stack.push(hooks.persistentLoad(pop('BINPERSID'))); break;
      case 0x52: { // REDUCE
        const args = pop('REDUCE');
        const fn = pop('REDUCE');
        ensure(fn instanceof PyGlobal, FMT, () => 'REDUCE on a value that is not an allowed global');
        ensure(Array.isArray(args), FMT, () => `REDUCE on ${(fn as PyGlobal).qualname} with non-tuple arguments`);
        stack.push(hooks.call(fn as PyGlobal, args as PyValue[]));
        break;
      }
      case 0x62: { const state = pop('BUILD'); hooks.build(top('BUILD'), state); break; }
      case 0x73: { const v = pop('SETITEM'); const k = pop('SETITEM'); setItems(top('SETITEM'), [k, v], 'SETITEM'); break; }
      case 0x75: { const items = popMark('SETITEMS'); setItems(top('SETITEMS'), items, 'SETITEMS'); break; }
      case 0x61: { const v = pop('APPEND'); append(top('APPEND'), [v], 'APPEND'); break; }
      case 0x65: { const items = popMark('APPENDS'); append(top('APPENDS'), items, 'APPENDS'); break; }
      case 0x68: case 0x6a: { // BINGET / LONG_BINGET
        const long = op === 0x6a;
        need(long ? 4 : 1, opName(op));
        const k = long ? dv.getUint32(pos, true) : b[pos]!;
        pos += long ? 4 : 1;
        ensure(memo.has(k), FMT, () => `${opName(op)} of memo key ${k}, which was never stored`);
        stack.push(memo.get(k));
        break;
      }
      case 0x71: case 0x72: { // BINPUT / LONG_BINPUT
        const long = op === 0x72;
        need(long ? 4 : 1, opName(op));
        const k = long ? dv.getUint32(pos, true) : b[pos]!;
        pos += long ? 4 : 1;
        memo.set(k, top(opName(op)));
        break;
      }
      case 0x94: memo.set(memo.size, top('MEMOIZE')); break;
      default:
        throw new ValueError(`${FMT}: unsupported opcode ${opName(op)} (0x${op.toString(16)}) at byte ${at}; PyTorch checkpoints do not need it and this unpickler never runs code`);
    }
  }
}
