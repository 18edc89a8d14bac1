/**
 * Derivatives of view ops and copies. A view's gradient is the gradient scattered back into a
 * zero tensor of the input's shape through the same view (written in place on a fresh tensor, so
 * it stays differentiable for higher orders through CopySlices).
 */
import { arange, zeros } from '@torchts/core';
import type { Tensor } from '@torchts/core';
import type { DType } from '@torchts/core';
import { defineDerivative } from '../registry.js';
import { reduceTo } from './util.js';

interface InputMeta {
  shape: number[];
  dtype: DType;
  device: string;
}
const meta = (t: unknown): InputMeta => {
  const x = t as Tensor;
  return { shape: [...x.shape], dtype: x.dtype, device: x.device };
};

/** Zeros of the input's shape with `g` written through `view` of them. */
function scatterThrough(m: InputMeta, g: Tensor, view: (z: Tensor) => Tensor): Tensor {
  const z = zeros(m.shape, { dtype: g.dtype, device: m.device });
  view(z).copy_(g);
  return z;
}

const saveInput = (args: readonly unknown[]) => ({ in: meta(args[0]), args: args.slice(1) });

// Pure reshapes: the gradient reshaped back.
defineDerivative(['view', '_unsafe_view'], {
  save: (args) => ({ in: meta(args[0]) }),
  backward: ([g], { saved }) => [g!.reshape((saved.in as InputMeta).shape)],
});

defineDerivative('permute', {
  save: (args) => ({ dims: args[1] }),
  backward: ([g], { saved }) => {
    const dims = saved.dims as number[];
    const nd = dims.length;
    const inv = new Array<number>(nd);
    dims.forEach((d, i) => (inv[(d + nd) % nd] = i));
    return [g!.permute(inv)];
  },
});

defineDerivative('transpose', {
  save: (args) => ({ a: args[1], b: args[2] }),
  backward: ([g], { saved }) => [g!.transpose(saved.a as number, saved.b as number)],
});

defineDerivative('expand', {
  save: (args) => ({ in: meta(args[0]) }),
  backward: ([g], { saved }) => [reduceTo(saved.in, g!)],
});

defineDerivative('squeeze', {
  save: (args) => ({ in: meta(args[0]) }),
  backward: ([g], { saved }) => [g!.reshape((saved.in as InputMeta).shape)],
});

defineDerivative('unsqueeze', {
  save: (args) => ({ in: meta(args[0]) }),
  backward: ([g], { saved }) => [g!.reshape((saved.in as InputMeta).shape)],
});

// Views that pick a region: scatter back through the same view.
defineDerivative('narrow', {
  save: saveInput,
  backward: ([g], { saved }) => {
    const [dim, start, length] = saved.args as [number, number, number];
    return [scatterThrough(saved.in as InputMeta, g!, (z) => z.narrow(dim, start, length))];
  },
});

defineDerivative('slice', {
  save: saveInput,
  backward: ([g], { saved }) => {
    const [dim, start, end, step] = saved.args as [number, number | null, number | null, number];
    return [scatterThrough(saved.in as InputMeta, g!, (z) => z.slice(dim, start, end, step))];
  },
});

defineDerivative('select', {
  save: saveInput,
  backward: ([g], { saved }) => {
    const [dim, index] = saved.args as [number, number];
    return [scatterThrough(saved.in as InputMeta, g!, (z) => z.select(dim, index))];
  },
});

defineDerivative('diagonal', {
  save: saveInput,
  backward: ([g], { saved }) => {
    const [offset, d1, d2] = saved.args as [number, number, number];
    return [scatterThrough(saved.in as InputMeta, g!, (z) => z.diagonal(offset ?? 0, d1 ?? 0, d2 ?? 1))];
  },
});

// Overlapping windows (unfold, as_strided) accumulate: scatter-add through index arithmetic.
defineDerivative('unfold', {
  save: saveInput,
  backward: ([g], { saved }) => {
    const m = saved.in as InputMeta;
    const [dim, size, step] = saved.args as [number, number, number];
    const z = zeros(m.shape, { dtype: g!.dtype, device: m.device });
    if (m.shape.length === 0) return [z.add(g!.reshape([]))];
    const d = dim < 0 ? dim + m.shape.length : dim;
    const windows = g!.shape[d]!;
    // Each window w covers [w*step, w*step+size): add its slice back (windows may overlap).
    let acc = z;
    for (let w = 0; w < windows; w++) {
      const part = g!.select(d, w).movedim(-1, d); // window values along d
      const padded = scatterThrough(m, part, (t) => t.narrow(d, w * step, size));
      const next = acc.add(padded);
      if (acc !== z) acc.dispose();
      padded.dispose();
      acc = next;
    }
    if (acc !== z) z.dispose();
    return [acc];
  },
});

defineDerivative('as_strided', {
  // Only the input's geometry: saving the tensor would tie backward to its version counter.
  save: (args) => {
    const t = args[0] as Tensor;
    return { in: { shape: [...t.shape], _strides: [...t._strides], _offset: t._offset }, args: args.slice(1) };
  },
  backward: ([g], { saved }) => {
    const x = saved.in as Pick<Tensor, 'shape' | '_strides' | '_offset'>;
    const [size, stride, offset] = saved.args as [number[], number[], number | undefined];
    const off = offset ?? x._offset;
    const extent = (shape: readonly number[], strides: readonly number[], o: number) => o + 1 + shape.reduce((s, n, i) => s + (n - 1) * strides[i]!, 0);
    const storageSize = Math.max(extent(x.shape, x._strides, x._offset), extent(size, stride, off));
    // Gradient w.r.t. the underlying storage (overlapping outputs add up), read back through the
    // input's own geometry.
    const positions = arange(storageSize).asStrided(size, stride, off).reshape(-1);
    const flat = zeros([storageSize], { dtype: g!.dtype, device: g!.device });
    flat.indexPut_([positions], g!.reshape(-1), { accumulate: true });
    positions.dispose();
    const out = flat.asStrided([...x.shape], [...x._strides], x._offset).clone();
    flat.dispose();
    return [out];
  },
});

// Copies.
defineDerivative('_to_copy', {
  save: (args) => ({ in: meta(args[0]) }),
  backward: ([g], { saved }) => [g!.to((saved.in as InputMeta).dtype)],
});

defineDerivative('copy_', {
  save: (args) => ({ src: meta(args[1]) }),
  selfUnused: true,
  // self's old value is overwritten (zero gradient); src gets the gradient, reduced and cast.
  backward: ([g], { saved }) => [g!.mul(0), reduceTo(saved.src, g!)],
});

defineDerivative('fill_', {
  selfUnused: true,
  backward: ([g], { needsInputGrad }) => (needsInputGrad.length > 1 ? [g!.mul(0), g!.sum()] : [g!.mul(0)]),
});
