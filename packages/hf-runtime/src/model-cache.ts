/**
 * One loaded model per process and key, shared by every Memory (and every provider instance) that
 * names it: a MiniLM cross-encoder is ~90 MB of weights plus onnxruntime's arena, and loading it
 * twice doubles both. Entries are reference-counted; the last `release` disposes the sessions.
 */

export interface Disposable {
  dispose(): Promise<void>;
}

interface Entry<T extends Disposable> {
  loading: Promise<T>;
  refs: number;
}

export interface Lease<T> {
  readonly value: T;
  /** Gives the lease back; the value is disposed when no lease is left. Idempotent. */
  release(): Promise<void>;
}

export class SharedModelCache<T extends Disposable> {
  private readonly entries = new Map<string, Entry<T>>();

  /** Loads once per key; concurrent callers with the same key wait for the same load. */
  async acquire(key: string, load: () => Promise<T>): Promise<Lease<T>> {
    let entry = this.entries.get(key);
    if (!entry) {
      entry = { loading: load(), refs: 0 };
      this.entries.set(key, entry);
      const created = entry;
      // A failed load is forgotten so that the next call tries again (the hub may be back).
      created.loading.catch(() => {
        if (this.entries.get(key) === created) this.entries.delete(key);
      });
    }
    entry.refs += 1;
    let value: T;
    try {
      value = await entry.loading;
    } catch (err) {
      entry.refs -= 1;
      throw err;
    }
    let released = false;
    const owner = entry;
    return {
      value,
      release: async () => {
        if (released) return;
        released = true;
        owner.refs -= 1;
        if (owner.refs === 0 && this.entries.get(key) === owner) {
          this.entries.delete(key);
          await value.dispose();
        }
      },
    };
  }

  /** How many leases are out for `key` (0 when it is not loaded). */
  refCount(key: string): number {
    return this.entries.get(key)?.refs ?? 0;
  }

  get size(): number {
    return this.entries.size;
  }
}
