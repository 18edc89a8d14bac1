// Convolution helpers beside im2col/GEMM (src/kernels/nn/conv.ts).

// out[n, c, :] += bias[c] over a contiguous [N, C, L] block: the convolution's bias.
// @ts-ignore: decorator
@inline function addChannelBias<T>(out: usize, bias: usize, biasStride: i32, N: i32, C: i32, L: i32): void {
  const sz = sizeof<T>();
  const lanes = 16 / <i32>sz;
  let p = out;
  for (let n = 0; n < N; n++) {
    for (let c = 0; c < C; c++) {
      const b = load<T>(bias + <usize>(c * biasStride) * sz);
      const bv = sz == 4 ? f32x4.splat(<f32>b) : f64x2.splat(<f64>b);
      let i = 0;
      for (; i + lanes <= L; i += lanes, p += 16) {
        v128.store(p, sz == 4 ? f32x4.add(v128.load(p), bv) : f64x2.add(v128.load(p), bv));
      }
      for (; i < L; i++, p += sz) store<T>(p, load<T>(p) + b);
    }
  }
}

export function addChannelBiasF32(out: usize, bias: usize, biasStride: i32, N: i32, C: i32, L: i32): void {
  addChannelBias<f32>(out, bias, biasStride, N, C, L);
}

export function addChannelBiasF64(out: usize, bias: usize, biasStride: i32, N: i32, C: i32, L: i32): void {
  addChannelBias<f64>(out, bias, biasStride, N, C, L);
}
