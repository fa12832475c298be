import { describe, expect, it } from 'vitest';
import { BatchLoader } from './batch-loader.js';

describe('BatchLoader', () => {
  it('loads the keys asked for in one tick with one call, each key once', async () => {
    const calls: string[][] = [];
    const loader = new BatchLoader((keys: string[]) => {
      calls.push(keys);
      return Promise.resolve(new Map(keys.filter((k) => k !== 'missing').map((k) => [k, k.toUpperCase()])));
    });
    // As type-graphql calls field resolvers: after a few awaits each, all in the same tick.
    const ask = async (key: string) => {
      await Promise.resolve();
      await Promise.resolve();
      return loader.load(key);
    };
    expect(await Promise.all(['a', 'b', 'a', 'missing'].map(ask))).toEqual(['A', 'B', 'A', undefined]);
    expect(calls).toEqual([['a', 'b', 'missing']]);

    expect(await loader.load('c')).toBe('C');
    expect(calls).toHaveLength(2);
  });

  it('rejects every waiting key when the load fails, and loads again afterwards', async () => {
    let fail = true;
    const loader = new BatchLoader((keys: string[]) =>
      fail ? Promise.reject(new Error('database gone')) : Promise.resolve(new Map(keys.map((k) => [k, k]))),
    );
    const results = await Promise.allSettled([loader.load('a'), loader.load('b')]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    fail = false;
    expect(await loader.load('a')).toBe('a');
  });
});
