/** `torch.autograd.detectAnomaly`: NaNs produced in backward name the forward op that made them. */
let depth = 0;

export function anomalyEnabled(): boolean {
  return depth > 0;
}

export function detectAnomaly<T>(fn: () => T): T {
  depth++;
  let result: T;
  try {
    result = fn();
  } catch (e) {
    depth--;
    throw e;
  }
  if (result instanceof Promise) return result.finally(() => depth--) as T;
  depth--;
  return result;
}

export function setDetectAnomaly(enabled: boolean): void {
  depth = enabled ? Math.max(depth, 1) : 0;
}
