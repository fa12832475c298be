/**
 * Collects the keys a request asks for while GraphQL resolves one level of a result (the same
 * field of every item of a list) and loads them with one call: a page of 50 tasks costs one
 * query for their last runs, not 50. Nothing is cached between batches, so a long-lived
 * context (a subscription's) never serves stale rows.
 */
export class BatchLoader<V> {
  private queue: { key: string; resolve: (value: V | undefined) => void; reject: (err: unknown) => void }[] = [];

  constructor(private readonly loadMany: (keys: string[]) => Promise<Map<string, V>>) {}

  /** The value for `key`, or undefined when `loadMany` found none. */
  load(key: string): Promise<V | undefined> {
    return new Promise((resolve, reject) => {
      // After the current tick's promise jobs: the resolvers of every item of a list have asked by then.
      if (this.queue.length === 0) setImmediate(() => void this.flush());
      this.queue.push({ key, resolve, reject });
    });
  }

  private async flush(): Promise<void> {
    const batch = this.queue;
    this.queue = [];
    try {
      const found = await this.loadMany([...new Set(batch.map((b) => b.key))]);
      for (const b of batch) b.resolve(found.get(b.key));
    } catch (err) {
      for (const b of batch) b.reject(err);
    }
  }
}
