import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { PgPubSub } from '../../server/src/events/pg-pubsub.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';
import { captureLogs } from '../support/logs.js';
import { waitFor } from '../support/wait.js';

/** Collects what a subscription yields, in order. */
function collect(iterable: AsyncIterable<unknown>): { items: unknown[]; stop: () => void } {
  const items: unknown[] = [];
  const it = iterable[Symbol.asyncIterator]();
  let stopped = false;
  void (async () => {
    while (!stopped) {
      const r = await it.next();
      if (r.done) break;
      items.push(r.value);
    }
  })();
  return {
    items,
    stop: () => {
      stopped = true;
      void it.return?.();
    },
  };
}

describe('the PostgreSQL event bus', () => {
  let db: TestDatabase;
  const buses: PgPubSub[] = [];
  const bus = async () => {
    const b = new PgPubSub({ connectionString: db.url, logger: captureLogs().logger });
    await b.start();
    buses.push(b);
    return b;
  };

  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterEach(async () => {
    for (const b of buses.splice(0)) await b.close();
  });
  afterAll(async () => {
    await db?.drop();
  });

  it('delivers an event published by one process-like bus to subscribers of another, in order', async () => {
    const [a, b] = [await bus(), await bus()];
    const got = collect(b.subscribe('T'));
    await waitFor(() => b.subscriberCount === 1);
    for (let i = 0; i < 50; i++) await a.publish('T', { i });
    await waitFor(() => got.items.length === 50, { what: '50 events' });
    expect(got.items).toEqual(Array.from({ length: 50 }, (_, i) => ({ i })));
    got.stop();
  });

  it('routes by topic and by dynamic id', async () => {
    const b = await bus();
    const all = collect(b.subscribe('RUN'));
    const run7 = collect(b.subscribe('RUN', 7));
    const other = collect(b.subscribe('OTHER'));
    await waitFor(() => b.subscriberCount === 3);
    await b.publish('RUN', 7, { for: 7 });
    await b.publish('RUN', 8, { for: 8 });
    await b.publish('RUN', { for: 'all' });
    await waitFor(() => all.items.length === 1 && run7.items.length === 1);
    await new Promise((r) => setTimeout(r, 100));
    expect(run7.items).toEqual([{ for: 7 }]);
    expect(all.items).toEqual([{ for: 'all' }]);
    expect(other.items).toEqual([]);
  });

  it('carries payloads above the NOTIFY limit whole, keeping their place in the order', async () => {
    const [a, b] = [await bus(), await bus()];
    const got = collect(b.subscribe('BIG'));
    await waitFor(() => b.subscriberCount === 1);
    const big = { text: 'é🚀x'.repeat(40_000), nested: { list: Array.from({ length: 1000 }, (_, i) => i) } };
    await a.publish('BIG', { n: 1 });
    await a.publish('BIG', big);
    await a.publish('BIG', { n: 3 });
    await waitFor(() => got.items.length === 3, { what: 'three events' });
    expect(got.items[0]).toEqual({ n: 1 });
    expect(got.items[1]).toEqual(big);
    expect(got.items[2]).toEqual({ n: 3 });
    const stored = await db.query<{ topic: string }>('SELECT topic FROM event_payload');
    expect(stored).toEqual([{ topic: 'BIG' }]);
  });

  it('reconnects after its database connection is killed, and says so', async () => {
    const [a, b] = [await bus(), await bus()];
    let reconnected = 0;
    b.onReconnect(() => reconnected++);
    const got = collect(b.subscribe('R'));
    await waitFor(() => b.subscriberCount === 1);
    await db.query(
      `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND query LIKE 'LISTEN%'`,
    );
    await waitFor(() => !b.isConnected || reconnected > 0, { what: 'the bus to notice' });
    await waitFor(() => b.isConnected && reconnected > 0, { what: 'the bus to reconnect' });
    await a.publish('R', { after: true });
    await waitFor(() => got.items.length === 1);
    expect(got.items).toEqual([{ after: true }]);
  });

  it('ends subscriptions and releases them when closed', async () => {
    const b = await bus();
    const it = b.subscribe('X')[Symbol.asyncIterator]();
    const pending = it.next();
    await waitFor(() => b.subscriberCount === 1);
    await it.return?.();
    await expect(pending).resolves.toMatchObject({ done: true });
    expect(b.subscriberCount).toBe(0);
  });
});
