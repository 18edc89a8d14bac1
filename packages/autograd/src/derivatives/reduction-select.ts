/**
 * Derivatives of the reductions that select elements: max/min, amax/amin, aminmax, median,
 * nanmedian, kthvalue, mode, sort, topk (msort and argsort go through sort). The values'
 * gradient goes to the selected elements; the int64 indices output takes none, so each backward
 * reads only the values' gradient, `grads[0]`.
 *
 * Ties as in PyTorch: the ops returning indices send the gradient to that index; max/min/median
 * over every element split it evenly among the elements equal to the result (the NaNs when it is
 * NaN); amax/amin split it evenly among the ties of each slice.
 */
import { tidy } from '@torchts/core';
import type { Tensor } from '@torchts/core';
import { defineDerivative } from '../registry.js';
import type { InputMeta } from './reduction-util.js';
import { castTo, evenlyDistribute, inputMeta, scatterBack, splitAmongTies } from './reduction-util.js';

const allDims = (ndim: number): number[] => Array.from({ length: ndim }, (_, i) => i);

// Over every element: (input) -> value.
defineDerivative(['max', 'min', 'median', 'nanmedian'], {
  save: (args, result) => ({ x: args[0], value: result }),
  backward: ([g], { saved }) => tidy(() => [evenlyDistribute(g!, saved.x as Tensor, saved.value as Tensor)]),
});

/** Saves what scatterBack needs: the input's shape, the dim, keepdim and the indices output. */
function selecting(dimArg: number, keepdimArg: number | null) {
  return {
    save: (args: readonly unknown[], result: unknown) => ({
      in: inputMeta(args[0]),
      dim: args[dimArg] as number,
      keepdim: keepdimArg === null ? true : (args[keepdimArg] as boolean),
      indices: (result as Tensor[])[1]!,
    }),
    backward: ([g]: Tensor[], { saved }: { saved: Record<string, unknown> }) =>
      tidy(() => [scatterBack(g!, saved.indices as Tensor, saved.in as InputMeta, saved.dim as number, saved.keepdim as boolean)]),
  };
}

// (input, dim, keepdim) -> [values, indices]
defineDerivative(['max.dim', 'min.dim', 'median.dim', 'nanmedian.dim', 'mode'], selecting(1, 2));
// kthvalue(input, k, dim, keepdim)
defineDerivative('kthvalue', selecting(2, 3));
// sort(input, dim, descending, stable): values keep the input's shape.
defineDerivative('sort', selecting(1, null));
// topk(input, k, dim, largest, sorted): values have k elements along dim.
defineDerivative('topk', selecting(2, null));

interface AmaxSaved {
  x: Tensor;
  dims: number[];
  keepdim: boolean;
}

// amax/amin(input, dims | null, keepdim)
defineDerivative(['amax', 'amin'], {
  save: (args, result) => {
    const x = args[0] as Tensor;
    return { x, value: result, dims: (args[1] as number[] | null) ?? allDims(x.ndim), keepdim: args[2] as boolean };
  },
  backward: ([g], { saved }) => {
    const { x, dims, keepdim } = saved as unknown as AmaxSaved;
    return tidy(() => [splitAmongTies(g!, x, saved.value as Tensor, dims, keepdim)]);
  },
});

// aminmax(input, dim | null, keepdim) -> [min, max]: amin's and amax's gradients added. (PyTorch
// 1.13 has no derivative for aminmax; later versions use this formula.)
defineDerivative('aminmax', {
  save: (args, result) => {
    const x = args[0] as Tensor;
    const dim = args[1] as number | null;
    const [min, max] = result as Tensor[];
    return { x, min: min!, max: max!, dims: dim === null ? allDims(x.ndim) : x.ndim === 0 ? [] : [dim], keepdim: args[2] as boolean };
  },
  backward: ([gMin, gMax], { saved }) => {
    const { x, dims, keepdim } = saved as unknown as AmaxSaved;
    return tidy(() => {
      const fromMin = splitAmongTies(gMin!, x, saved.min as Tensor, dims, keepdim);
      return [castTo(fromMin.add(splitAmongTies(gMax!, x, saved.max as Tensor, dims, keepdim)), x.dtype)];
    });
  },
});
