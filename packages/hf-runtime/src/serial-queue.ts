/**
 * One model call at a time per loaded model. onnxruntime already spreads one call over every
 * intra-op thread, so overlapping calls from concurrent searches would only fight over the same
 * cores; queued at batch granularity, concurrent searches interleave fairly and each batch runs
 * at full speed.
 */
export class SerialQueue {
  private tail: Promise<unknown> = Promise.resolve();
  private waiting = 0;

  run<T>(task: () => Promise<T>): Promise<T> {
    this.waiting += 1;
    const result = this.tail.then(task, task);
    this.tail = result.then(
      () => {
        this.waiting -= 1;
      },
      () => {
        this.waiting -= 1;
      },
    );
    return result;
  }

  /** Calls queued or running. */
  get pending(): number {
    return this.waiting;
  }
}
