// Strided copies and dtype conversions of one row (src/kernels/copy.ts walks the rows): o[i * os]
// = convert(a[i * as]) for i < n, strides in elements. Contiguous rows of one 4- or 8-byte type
// copy by vectors.

// @ts-ignore: decorator
@inline function copyRow<T>(n: i32, o: usize, os: i32, a: usize, as: i32): void {
  const sz = sizeof<T>();
  if (os == 1 && as == 1) {
    const bytes = <usize>n * sz;
    let i: usize = 0;
    for (; i + 32 <= bytes; i += 32) {
      v128.store(o + i, v128.load(a + i));
      v128.store(o + i, v128.load(a + i, 16), 16);
    }
    for (; i < bytes; i += sz) store<T>(o + i, load<T>(a + i));
    return;
  }
  if (os == 1 && as == 0) {
    // A broadcast source (expand().contiguous(), a sum's gradient made dense): a fill.
    splatRow<T>(o, <usize>n * sz, load<T>(a));
    return;
  }
  const so = <usize>os * sz, sa = <usize>as * sz;
  for (let i = 0; i < n; i++, o += so, a += sa) store<T>(o, load<T>(a));
}

/** `bytes` bytes at p (a multiple of T's size) set to copies of `bits`. */
// @ts-ignore: decorator
@inline function splatRow<T>(p: usize, bytes: usize, bits: T): void {
  const v = sizeof<T>() == 4 ? i32x4.splat(<i32>bits) : i64x2.splat(<i64>bits);
  let i: usize = 0;
  for (; i + 32 <= bytes; i += 32) {
    v128.store(p + i, v);
    v128.store(p + i, v, 16);
  }
  for (; i < bytes; i += sizeof<T>()) store<T>(p + i, bits);
}

// @ts-ignore: decorator
@inline function convertRow<S, D>(n: i32, o: usize, os: i32, a: usize, as: i32): void {
  const so = <usize>os * sizeof<D>(), sa = <usize>as * sizeof<S>();
  for (let i = 0; i < n; i++, o += so, a += sa) store<D>(o, <D>load<S>(a));
}

// Bit copies of any 4- or 8-byte element type (integer loads: nothing is converted or canonicalised).
export function copyRow32(n: i32, o: usize, os: i32, a: usize, as: i32): void {
  copyRow<u32>(n, o, os, a, as);
}

export function copyRow64(n: i32, o: usize, os: i32, a: usize, as: i32): void {
  copyRow<u64>(n, o, os, a, as);
}

export function convertRowU8F32(n: i32, o: usize, os: i32, a: usize, as: i32): void {
  convertRow<u8, f32>(n, o, os, a, as);
}

export function convertRowF32F64(n: i32, o: usize, os: i32, a: usize, as: i32): void {
  convertRow<f32, f64>(n, o, os, a, as);
}

export function convertRowF64F32(n: i32, o: usize, os: i32, a: usize, as: i32): void {
  convertRow<f64, f32>(n, o, os, a, as);
}

// Fills and byte copies: V8's TypedArray fill() and set() take a slow element-wise path on shared
// memory (4.7 and 8.3 GB/s here against 20 on an ordinary buffer); the bulk-memory instructions
// run at memset/memmove speed.

/** n 4-byte elements at p set to the bit pattern `bits`. */
export function fill32(p: usize, n: i32, bits: u32): void {
  const bytes = <usize>n * 4;
  if (bits == 0) {
    memory.fill(p, 0, bytes);
    return;
  }
  splatRow<u32>(p, bytes, bits);
}

/** n 8-byte elements at p set to the bit pattern hi:lo. */
export function fill64(p: usize, n: i32, lo: u32, hi: u32): void {
  const bytes = <usize>n * 8;
  const bits = (<u64>hi << 32) | <u64>lo;
  if (bits == 0) {
    memory.fill(p, 0, bytes);
    return;
  }
  splatRow<u64>(p, bytes, bits);
}

/** `bytes` bytes at p set to `byte` (1-byte element types, and zeros of any type). */
export function fillBytes(p: usize, bytes: i32, byte: i32): void {
  memory.fill(p, <u8>byte, <usize>bytes);
}

/** memmove: `bytes` bytes from a to o (the ranges may overlap). */
export function copyBytes(o: usize, a: usize, bytes: i32): void {
  memory.copy(o, a, <usize>bytes);
}
