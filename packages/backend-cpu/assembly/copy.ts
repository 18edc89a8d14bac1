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
  const so = <usize>os * sz, sa = <usize>as * sz;
  for (let i = 0; i < n; i++, o += so, a += sa) store<T>(o, load<T>(a));
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
