/**
 * Grad modes, scoped and safe across `await`: in Node each async context sees its own mode
 * (AsyncLocalStorage), so `await torch.noGrad(async () => ...)` never leaks into concurrent code.
 */
import { contextStore } from '@torchts/core';

interface Mode {
  enabled: boolean;
  inference: boolean;
}

const store = contextStore<Mode>();

const globalMode: Mode = { enabled: true, inference: false };

function current(): Mode {
  return store.getStore() ?? globalMode;
}

export function isGradEnabled(): boolean {
  return current().enabled;
}

export function isInferenceModeEnabled(): boolean {
  return current().inference;
}

function withMode<T>(mode: Mode, fn: () => T): T {
  return store.run(mode, fn);
}

/** Runs `fn` (sync or async) with gradient recording off. */
export function noGrad<T>(fn: () => T): T {
  return withMode({ enabled: false, inference: current().inference }, fn);
}

/** Runs `fn` with gradient recording on (inside a noGrad region, too). */
export function enableGrad<T>(fn: () => T): T {
  return withMode({ enabled: true, inference: current().inference }, fn);
}

/**
 * `torch.set_grad_enabled`: with a function, runs it in that mode; without, sets the mode of the
 * current scope (the global mode outside any scope).
 */
export function setGradEnabled(enabled: boolean): void;
export function setGradEnabled<T>(enabled: boolean, fn: () => T): T;
export function setGradEnabled<T>(enabled: boolean, fn?: () => T): T | void {
  if (fn) return withMode({ enabled, inference: current().inference }, fn);
  current().enabled = enabled;
}

/** Like noGrad; tensors created inside are inference tensors (no version tracking needed). */
export function inferenceMode<T>(fn: () => T): T;
export function inferenceMode<T>(mode: boolean, fn: () => T): T;
export function inferenceMode<T>(a: boolean | (() => T), b?: () => T): T {
  const on = typeof a === 'boolean' ? a : true;
  const fn = (typeof a === 'function' ? a : b)!;
  return withMode({ enabled: on ? false : current().enabled, inference: on }, fn);
}
