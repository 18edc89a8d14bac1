/**
 * nn.utils.rnn: PackedSequence, packPaddedSequence, padPackedSequence, padSequence, packSequence.
 * A PackedSequence stores the time-major concatenation of the still-active rows of each step
 * (`data`: [sum(batchSizes), *]), sorted by decreasing length; sortedIndices/unsortedIndices map
 * between that order and the caller's batch order.
 */
import * as core from '@torchts/core';
import { RuntimeError, Tensor, ValueError } from '@torchts/core';

export class PackedSequence {
  constructor(
    readonly data: Tensor,
    readonly batchSizes: Tensor,
    readonly sortedIndices: Tensor | null = null,
    readonly unsortedIndices: Tensor | null = null,
  ) {}

  /** Batch sizes as JS numbers. */
  batchSizesArray(): number[] {
    return (this.batchSizes.tolist() as number[]).map(Number);
  }

  /** The data split into one [batchSizes[t], *] view per time step. */
  steps(): Tensor[] {
    let off = 0;
    return this.batchSizesArray().map((bs) => {
      const v = this.data.narrow(0, off, bs);
      off += bs;
      return v;
    });
  }

  get isCuda(): boolean {
    return this.data.device.toString().startsWith('cuda');
  }

  /** Frees the tensors this sequence holds. */
  dispose(): void {
    this.data.dispose();
    this.batchSizes.dispose();
    this.sortedIndices?.dispose();
    this.unsortedIndices?.dispose();
  }
}

function toLengths(lengths: Tensor | readonly number[]): number[] {
  if (lengths instanceof Tensor) {
    if (lengths.ndim !== 1) throw new RuntimeError(`'lengths' argument should be a 1D tensor, but got ${lengths.ndim}D`);
    return (lengths.tolist() as number[]).map(Number);
  }
  return [...lengths];
}

function int64(values: number[]): Tensor {
  return core.tensor(values, { dtype: 'int64' });
}

/** Inverse permutation of `perm`. */
function invert(perm: number[]): number[] {
  const inv = new Array<number>(perm.length);
  perm.forEach((p, i) => (inv[p] = i));
  return inv;
}

export interface PackOptions {
  batchFirst?: boolean;
  enforceSorted?: boolean;
}

/** Packs a padded batch ([T, B, *], or [B, T, *] with batchFirst) of sequences with the given lengths. */
export function packPaddedSequence(input: Tensor, lengths: Tensor | readonly number[], opts: PackOptions = {}): PackedSequence {
  const batchFirst = opts.batchFirst ?? false;
  const enforceSorted = opts.enforceSorted ?? true;
  const lens = toLengths(lengths);
  const bDim = batchFirst ? 0 : 1;
  if (input.ndim < 2) throw new RuntimeError(`pack_padded_sequence: expected input of at least 2 dimensions, got ${input.ndim}`);
  if (lens.length !== input.shape[bDim]) {
    throw new RuntimeError(`Expected \`len(lengths)\` to be equal to batch_size, but got ${lens.length} (batch_size=${input.shape[bDim]})`);
  }
  let order: number[] | null = null;
  if (enforceSorted) {
    for (let i = 1; i < lens.length; i++) {
      if (lens[i]! > lens[i - 1]!) {
        throw new RuntimeError(
          '`lengths` array must be sorted in decreasing order when `enforce_sorted` is True. You can pass `enforce_sorted=False` to pack_padded_sequence and/or pack_sequence to sidestep this requirement if you do not need ONNX exportability.',
        );
      }
    }
  } else {
    order = lens.map((_, i) => i).sort((a, b) => lens[b]! - lens[a]! || a - b);
  }
  const sortedLens = order ? order.map((i) => lens[i]!) : lens;
  if (sortedLens.length > 0 && sortedLens[sortedLens.length - 1]! <= 0) {
    throw new RuntimeError("Length of all samples has to be greater than 0, but found an element in 'lengths' that is <= 0");
  }
  const T = sortedLens[0] ?? 0;
  const tDim = batchFirst ? 1 : 0;
  if (T > input.shape[tDim]!) {
    throw new RuntimeError(`pack_padded_sequence: a length (${T}) exceeds the padded sequence length ${input.shape[tDim]}`);
  }
  const batchSizes: number[] = [];
  for (let t = 0; t < T; t++) batchSizes.push(sortedLens.filter((l) => l > t).length);
  const data = core.tidy(() => {
    let x = batchFirst ? input.transpose(0, 1) : input;
    if (order) x = x.indexSelect(1, int64(order));
    return core.cat(batchSizes.map((bs, t) => x.select(0, t).narrow(0, 0, bs)), 0);
  });
  return new PackedSequence(data, int64(batchSizes), order ? int64(order) : null, order ? int64(invert(order)) : null);
}

export interface PadPackedOptions {
  batchFirst?: boolean;
  paddingValue?: number;
  totalLength?: number | null;
}

/** Unpacks to [T, B, *] (or [B, T, *]) padded with paddingValue; returns [padded, lengths (int64)]. */
export function padPackedSequence(sequence: PackedSequence, opts: PadPackedOptions = {}): [Tensor, Tensor] {
  const batchFirst = opts.batchFirst ?? false;
  const pad = opts.paddingValue ?? 0;
  const bsz = sequence.batchSizesArray();
  const maxLen = bsz.length;
  const T = opts.totalLength ?? maxLen;
  if (T < maxLen) {
    throw new ValueError(
      `Expected total_length to be at least the length of the longest sequence in input, but got total_length=${T} and max sequence length being ${maxLen}`,
    );
  }
  const B = bsz[0] ?? 0;
  const sortedLens = Array.from({ length: B }, (_, i) => bsz.filter((b) => b > i).length);
  const unsorted = sequence.unsortedIndices ? (sequence.unsortedIndices.tolist() as number[]).map(Number) : null;
  const lengths = unsorted ? unsorted.map((i) => sortedLens[i]!) : sortedLens;
  const padded = core.tidy(() => {
    const data = sequence.data;
    const feat = data.shape.slice(1);
    const opt = { dtype: data.dtype, device: data.device };
    const rows = sequence.steps().map((x) =>
      x.shape[0] === B ? x : core.cat([x, core.full([B - x.shape[0]!, ...feat], pad, opt)], 0));
    for (let t = maxLen; t < T; t++) rows.push(core.full([B, ...feat], pad, opt));
    let out = core.stack(rows, 0);
    if (sequence.unsortedIndices) out = out.indexSelect(1, sequence.unsortedIndices);
    return batchFirst ? out.transpose(0, 1).contiguous() : out;
  });
  return [padded, int64(lengths)];
}

export interface PadSequenceOptions {
  batchFirst?: boolean;
  paddingValue?: number;
}

/** Stacks variable-length [L_i, *] tensors into [maxL, B, *] (or [B, maxL, *]) padded with paddingValue. */
export function padSequence(sequences: readonly Tensor[], opts: PadSequenceOptions = {}): Tensor {
  if (sequences.length === 0) throw new RuntimeError('received an empty list of sequences');
  const maxLen = Math.max(...sequences.map((s) => s.shape[0]!));
  return core.tidy(() => {
    const rows = sequences.map((s) => {
      const L = s.shape[0]!;
      return L === maxLen ? s : core.cat([s, core.full([maxLen - L, ...s.shape.slice(1)], opts.paddingValue ?? 0, { dtype: s.dtype, device: s.device })], 0);
    });
    return core.stack(rows, opts.batchFirst ? 0 : 1);
  });
}

/** packPaddedSequence(padSequence(sequences), lengths). */
export function packSequence(sequences: readonly Tensor[], opts: { enforceSorted?: boolean } = {}): PackedSequence {
  const padded = padSequence(sequences);
  try {
    return packPaddedSequence(padded, sequences.map((s) => s.shape[0]!), { enforceSorted: opts.enforceSorted ?? true });
  } finally {
    padded.dispose();
  }
}
