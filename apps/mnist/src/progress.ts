/**
 * A one-line progress bar: `epoch 1/3 [########------] 412/938 loss 0.2140 2391 img/s ETA 0:22`.
 * On a terminal it redraws in place; otherwise (CI logs, pipes) it prints a line every 10%.
 */
export interface ProgressSink {
  isTTY?: boolean;
  write(s: string): unknown;
}

export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '--:--';
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const ss = String(s % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${ss}` : `${m}:${ss}`;
}

export class ProgressBar {
  private readonly start = performance.now();
  private lastDecile = -1;
  private done = 0;
  private images = 0;

  constructor(
    private readonly label: string,
    private readonly total: number,
    private readonly out: ProgressSink = process.stderr,
    private readonly width = 24,
  ) {}

  /** Records one finished step of `batchImages` images with the running loss. */
  tick(batchImages: number, loss: number): void {
    this.done++;
    this.images += batchImages;
    const decile = Math.floor((10 * this.done) / this.total);
    if (this.out.isTTY) this.out.write(`\r${this.line(loss)}\x1b[K`);
    else if (decile !== this.lastDecile || this.done === this.total) this.out.write(`${this.line(loss)}\n`);
    this.lastDecile = decile;
  }

  /** Ends the bar (a newline on a terminal) and returns the elapsed seconds. */
  finish(): number {
    if (this.out.isTTY) this.out.write('\n');
    return (performance.now() - this.start) / 1000;
  }

  line(loss: number): string {
    const elapsed = (performance.now() - this.start) / 1000;
    const filled = Math.round((this.width * this.done) / this.total);
    const bar = '#'.repeat(filled) + '-'.repeat(this.width - filled);
    const rate = elapsed > 0 ? this.images / elapsed : 0;
    const eta = this.done > 0 ? (elapsed / this.done) * (this.total - this.done) : NaN;
    const digits = String(this.total).length;
    return `${this.label} [${bar}] ${String(this.done).padStart(digits)}/${this.total} ` +
      `loss ${loss.toFixed(4)} ${rate.toFixed(0)} img/s ETA ${formatDuration(eta)}`;
  }
}
