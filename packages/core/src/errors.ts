/**
 * PyTorch's error classes. `String(err)` reads like PyTorch's traceback line:
 * `RuntimeError: mat1 and mat2 shapes cannot be multiplied (64x1000 and 100x10)`.
 */
export class RuntimeError extends Error {
  override name = 'RuntimeError';
}

export class IndexError extends Error {
  override name = 'IndexError';
}

export class ValueError extends Error {
  override name = 'ValueError';
}

/** Not implemented for a device or dtype: always names the op and what is missing. */
export class NotImplementedError extends Error {
  override name = 'NotImplementedError';
}

/** Throws a RuntimeError unless `cond` holds; the message is built lazily. */
export function check(cond: unknown, message: () => string): asserts cond {
  if (!cond) throw new RuntimeError(message());
}
