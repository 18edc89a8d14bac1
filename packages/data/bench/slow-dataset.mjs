// A dataset that burns about `ms` of CPU per item: a stand-in for decoding and augmenting images.
import '@torchts/backend-cpu';
import { Dataset } from '@torchts/data';

export class Slow extends Dataset {
  constructor(n, ms) {
    super();
    this.n = n;
    this.ms = ms;
  }
  get length() {
    return this.n;
  }
  getItem(i) {
    const end = performance.now() + this.ms;
    let x = 0;
    while (performance.now() < end) x += Math.sqrt(x + i);
    // A 28x28 "image" and a label, as MNIST samples are.
    return [new Float32Array(784).fill(x % 1), i % 10];
  }
}
