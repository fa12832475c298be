import DataLoader from 'dataloader';

/**
 * Collects the keys a request asks for while GraphQL resolves one level of a result (the same
 * field of every item of a list) and loads them with one call: a page of 50 tasks costs one
 * query for their last runs, not 50. A DataLoader without its cache, so a long-lived context (a
 * subscription's) never serves stale rows; the keys of a batch are passed to `loadMany` once each.
 */
export class BatchLoader<V> {
  private readonly loader: DataLoader<string, V | undefined>;

  constructor(loadMany: (keys: string[]) => Promise<Map<string, V>>) {
    this.loader = new DataLoader(
      async (keys) => {
        const found = await loadMany([...new Set(keys)]);
        return keys.map((key) => found.get(key));
      },
      // After the current tick's promise jobs: the resolvers of every item of a list have asked by then.
      { cache: false, batchScheduleFn: (dispatch) => setImmediate(dispatch) },
    );
  }

  /** The value for `key`, or undefined when `loadMany` found none. */
  load(key: string): Promise<V | undefined> {
    return this.loader.load(key);
  }
}
