/**
 * Faithful ports of the selection and sorting algorithms PyTorch's CPU kernels call, so that
 * results match PyTorch element for element, including which index wins among ties:
 * libstdc++'s std::sort (introsort + final insertion sort), std::nth_element (introselect) and
 * std::partial_sort (heap select + sort_heap), and TH's quickselect used by kthvalue.
 *
 * Every routine works on a sequence of (value, index) pairs held in two parallel arrays and
 * moves pairs exactly as the C++ code moves its elements.
 */

/**
 * The orderings PyTorch's kernels use, as strict weak orderings on (value, index) pairs. They are
 * selected by number and compared inline (one monomorphic `switch`), not through a callback:
 * a call site that sees several comparator functions becomes megamorphic in V8 and several
 * times slower.
 */
export const Order = {
  /** Ascending, NaN greater than everything (sort, topk smallest, nanmedian). */
  ascNanLast: 0,
  /** Descending, NaN first (sort descending, topk largest, kthvalue's quickselect). */
  descNanFirst: 1,
  /** ascNanLast with ties broken by index: a stable ascending sort. */
  ascNanLastStable: 2,
  /** descNanFirst with ties broken by index: a stable descending sort. */
  descNanFirstStable: 3,
  /** Plain `<` on values (mode; median of every element). */
  valueLess: 4,
  /** `<`, then the index (median along a dim). */
  valueThenIndex: 5,
  /** `<`, then the index, NaN after every number (nanmedian along a dim). */
  valueThenIndexNanLast: 6,
  /** A caller-supplied comparison (unique over slices). */
  custom: 7,
} as const;
export type Order = (typeof Order)[keyof typeof Order];

const THRESHOLD = 16; // libstdc++'s _S_threshold

/** floor(log2(n)) for n > 0 (std::__lg). */
function lg(n: number): number {
  return 31 - Math.clz32(n);
}

/** C++ integer division of possibly negative numbers (truncates toward zero). */
function half(n: number): number {
  return Math.trunc(n / 2);
}

export class PairSeq {
  constructor(
    readonly v: Float64Array,
    readonly x: Float64Array,
    private readonly order: Order,
    /** For Order.custom: a strict weak ordering on (value, index). */
    private readonly customLess: ((av: number, ai: number, bv: number, bi: number) => boolean) | null = null,
  ) {}

  /** Whether (a, ai) orders before (b, bi). */
  less(a: number, ai: number, b: number, bi: number): boolean {
    switch (this.order) {
      case Order.ascNanLast:
        return a < b || (b !== b && a === a);
      case Order.descNanFirst:
        return a > b || (a !== a && b === b);
      case Order.ascNanLastStable:
        if (a < b || (b !== b && a === a)) return true;
        return ai < bi && !(b < a || (a !== a && b === b));
      case Order.descNanFirstStable:
        if (a > b || (a !== a && b === b)) return true;
        return ai < bi && !(b > a || (b !== b && a === a));
      case Order.valueLess:
        return a < b;
      case Order.valueThenIndex:
        return a < b || (a === b && ai < bi);
      case Order.valueThenIndexNanLast:
        return a < b || (a === b && ai < bi) || (b !== b && a === a);
      default:
        return this.customLess!(a, ai, b, bi);
    }
  }

  private lt(i: number, j: number): boolean {
    const v = this.v, x = this.x;
    return this.less(v[i]!, x[i]!, v[j]!, x[j]!);
  }

  private swap(i: number, j: number): void {
    const v = this.v, x = this.x;
    const tv = v[i]!;
    v[i] = v[j]!;
    v[j] = tv;
    const tx = x[i]!;
    x[i] = x[j]!;
    x[j] = tx;
  }

  private move(to: number, from: number): void {
    this.v[to] = this.v[from]!;
    this.x[to] = this.x[from]!;
  }

  // ---- std::sort -------------------------------------------------------------------------

  sort(first: number, last: number): void {
    if (first === last) return;
    this.introsortLoop(first, last, lg(last - first) * 2);
    this.finalInsertionSort(first, last);
  }

  private introsortLoop(first: number, last: number, depthLimit: number): void {
    while (last - first > THRESHOLD) {
      if (depthLimit === 0) {
        this.partialSort(first, last, last);
        return;
      }
      --depthLimit;
      const cut = this.unguardedPartitionPivot(first, last);
      this.introsortLoop(cut, last, depthLimit);
      last = cut;
    }
  }

  private moveMedianToFirst(result: number, a: number, b: number, c: number): void {
    if (this.lt(a, b)) {
      if (this.lt(b, c)) this.swap(result, b);
      else if (this.lt(a, c)) this.swap(result, c);
      else this.swap(result, a);
    } else if (this.lt(a, c)) this.swap(result, a);
    else if (this.lt(b, c)) this.swap(result, c);
    else this.swap(result, b);
  }

  private unguardedPartition(first: number, last: number, pivot: number): number {
    // The pivot element stays put during the partition: read it once.
    const v = this.v, x = this.x;
    const pv = v[pivot]!, px = x[pivot]!;
    for (;;) {
      while (this.less(v[first]!, x[first]!, pv, px)) ++first;
      --last;
      while (this.less(pv, px, v[last]!, x[last]!)) --last;
      if (!(first < last)) return first;
      this.swap(first, last);
      ++first;
    }
  }

  private unguardedPartitionPivot(first: number, last: number): number {
    const mid = first + half(last - first);
    this.moveMedianToFirst(first, first + 1, mid, last - 1);
    return this.unguardedPartition(first + 1, last, first);
  }

  private unguardedLinearInsert(last: number): void {
    const v = this.v, x = this.x;
    const vv = v[last]!, vx = x[last]!;
    let next = last - 1;
    while (this.less(vv, vx, v[next]!, x[next]!)) {
      v[last] = v[next]!;
      x[last] = x[next]!;
      last = next;
      --next;
    }
    v[last] = vv;
    x[last] = vx;
  }

  private insertionSort(first: number, last: number): void {
    if (first === last) return;
    const v = this.v, x = this.x;
    for (let i = first + 1; i !== last; ++i) {
      if (this.lt(i, first)) {
        const vv = v[i]!, vx = x[i]!;
        for (let k = i; k > first; --k) this.move(k, k - 1);
        v[first] = vv;
        x[first] = vx;
      } else this.unguardedLinearInsert(i);
    }
  }

  private finalInsertionSort(first: number, last: number): void {
    if (last - first > THRESHOLD) {
      this.insertionSort(first, first + THRESHOLD);
      for (let i = first + THRESHOLD; i !== last; ++i) this.unguardedLinearInsert(i);
    } else this.insertionSort(first, last);
  }

  // ---- heaps and std::partial_sort ---------------------------------------------------------

  private pushHeap(first: number, holeIndex: number, topIndex: number, vv: number, vx: number): void {
    const v = this.v, x = this.x;
    let parent = half(holeIndex - 1);
    while (holeIndex > topIndex && this.less(v[first + parent]!, x[first + parent]!, vv, vx)) {
      this.move(first + holeIndex, first + parent);
      holeIndex = parent;
      parent = half(holeIndex - 1);
    }
    v[first + holeIndex] = vv;
    x[first + holeIndex] = vx;
  }

  private adjustHeap(first: number, holeIndex: number, len: number, vv: number, vx: number): void {
    const topIndex = holeIndex;
    let secondChild = holeIndex;
    while (secondChild < half(len - 1)) {
      secondChild = 2 * (secondChild + 1);
      if (this.lt(first + secondChild, first + (secondChild - 1))) secondChild--;
      this.move(first + holeIndex, first + secondChild);
      holeIndex = secondChild;
    }
    if ((len & 1) === 0 && secondChild === half(len - 2)) {
      secondChild = 2 * (secondChild + 1);
      this.move(first + holeIndex, first + (secondChild - 1));
      holeIndex = secondChild - 1;
    }
    this.pushHeap(first, holeIndex, topIndex, vv, vx);
  }

  private popHeap(first: number, last: number, result: number): void {
    const vv = this.v[result]!, vx = this.x[result]!;
    this.move(result, first);
    this.adjustHeap(first, 0, last - first, vv, vx);
  }

  private makeHeap(first: number, last: number): void {
    const len = last - first;
    if (len < 2) return;
    for (let parent = half(len - 2); ; parent--) {
      this.adjustHeap(first, parent, len, this.v[first + parent]!, this.x[first + parent]!);
      if (parent === 0) return;
    }
  }

  private heapSelect(first: number, middle: number, last: number): void {
    this.makeHeap(first, middle);
    for (let i = middle; i < last; ++i) if (this.lt(i, first)) this.popHeap(first, middle, i);
  }

  private sortHeap(first: number, last: number): void {
    while (last - first > 1) {
      --last;
      this.popHeap(first, last, last);
    }
  }

  partialSort(first: number, middle: number, last: number): void {
    this.heapSelect(first, middle, last);
    this.sortHeap(first, middle);
  }

  // ---- std::nth_element --------------------------------------------------------------------

  nthElement(first: number, nth: number, last: number): void {
    if (first === last || nth === last) return;
    let depthLimit = lg(last - first) * 2;
    while (last - first > 3) {
      if (depthLimit === 0) {
        this.heapSelect(first, nth + 1, last);
        this.swap(first, nth);
        return;
      }
      --depthLimit;
      const cut = this.unguardedPartitionPivot(first, last);
      if (cut <= nth) first = cut;
      else last = cut;
    }
    this.insertionSort(first, last);
  }

  // ---- TH's quickselect (kthvalue) ---------------------------------------------------------

  /**
   * Puts the k-th (0-based) element of [0, n) in place. TH's `gt_or_nan(a, b)` is this
   * sequence's ordering on values (built with Order.descNanFirst for kthvalue).
   */
  quickSelect(n: number, k: number): void {
    const v = this.v;
    const gt = (a: number, b: number): boolean => this.less(a, 0, b, 0);
    let L = 0;
    let R = n - 1;
    for (;;) {
      if (R <= L) return;
      if (R === L + 1) {
        if (gt(v[L]!, v[R]!)) this.swap(L, R);
        return;
      }
      const P = (L + R) >> 1;
      this.swap(P, L + 1);
      if (gt(v[L + 1]!, v[R]!)) this.swap(L + 1, R);
      if (gt(v[L]!, v[R]!)) this.swap(L, R);
      if (gt(v[L + 1]!, v[L]!)) this.swap(L + 1, L);
      let i = L + 1;
      let j = R;
      const piv = v[L]!;
      for (;;) {
        do i++;
        while (gt(piv, v[i]!));
        do j--;
        while (gt(v[j]!, piv));
        if (j < i) break;
        this.swap(i, j);
      }
      this.swap(L, j);
      if (j <= k) L = i;
      if (j >= k) R = j - 1;
    }
  }
}
