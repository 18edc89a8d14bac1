import { Dataset } from '../src/index.js';

/** 0, 1, ..., n-1: the sample is its index, so a batch's values are its indices. */
export class Range extends Dataset<number> {
  constructor(readonly n: number) {
    super();
  }
  getItem(i: number): number {
    return i;
  }
  get length(): number {
    return this.n;
  }
}
