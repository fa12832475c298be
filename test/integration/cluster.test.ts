import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';
import { connectSocket, gqlData, type SocketClient } from '../support/graphql.js';
import { spawnServer } from '../support/process.js';
import { waitFor } from '../support/wait.js';

interface Instance {
  id: string;
  name: string;
  status: 'UP' | 'DOWN';
  isSelf: boolean;
  pid: number;
  address: string;
  stoppedAt: string | null;
}
const INSTANCES = '{ serverInstances { id name status isSelf pid address stoppedAt } }';
const CHANGED = 'subscription { serverInstanceChanged { id name status stoppedAt } }';

describe('several instances on one database', () => {
  let db: TestDatabase;
  const apps: TestApp[] = [];
  const sockets: SocketClient[] = [];

  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterEach(async () => {
    for (const s of sockets.splice(0)) await s.dispose();
    for (const a of apps.splice(0)) await a.stop();
    await db.query('DELETE FROM server_instance');
  });
  afterAll(async () => {
    await db?.drop();
  });

  /** Subscribes to serverInstanceChanged on `t` and waits until the subscription is live there. */
  const watchChanges = async (t: TestApp) => {
    // The server's own listeners (the backfill driver's) count too: one more than before is ours.
    const before = t.app.pubSub.subscriberCount;
    const socket = await connectSocket(t.url, t.token);
    sockets.push(socket);
    const sub = socket.subscribe<{ serverInstanceChanged: Instance }>(CHANGED);
    await waitFor(() => t.app.pubSub.subscriberCount === before + 1, { what: 'the subscription to be live' });
    return sub;
  };

  const start = async (name: string) => {
    const t = await startTestApp({ databaseUrl: db.url, env: { SLUICE_INSTANCE_NAME: name } });
    apps.push(t);
    return t;
  };

  it('list each other as UP, each marking itself', async () => {
    const [a, b] = await Promise.all([start('alpha'), start('beta')]);
    for (const t of [a, b]) {
      const { serverInstances } = await gqlData<{ serverInstances: Instance[] }>(t.url, INSTANCES, undefined, t.token);
      expect(serverInstances.map((i) => i.name).sort()).toEqual(['alpha', 'beta']);
      expect(serverInstances.every((i) => i.status === 'UP' && i.pid === process.pid)).toBe(true);
      expect(serverInstances.filter((i) => i.isSelf).map((i) => i.id)).toEqual([t.app.instanceId]);
      expect(serverInstances.find((i) => i.isSelf)?.address).toBe(t.url);
    }
  });

  it('push a subscriber on one instance the changes caused by another', async () => {
    const a = await start('alpha');
    const sub = await watchChanges(a);

    const b = await start('beta');
    const joined = await sub.until((e) => e.serverInstanceChanged.id === b.app.instanceId);
    expect(joined.serverInstanceChanged).toMatchObject({ name: 'beta', status: 'UP', stoppedAt: null });

    apps.splice(apps.indexOf(b), 1);
    await b.stop();
    const left = await sub.until((e) => e.serverInstanceChanged.id === b.app.instanceId);
    expect(left.serverInstanceChanged.status).toBe('DOWN');
    expect(left.serverInstanceChanged.stoppedAt).not.toBeNull();
  });

  it('notice an instance that died without a word (kill -9) and mark it DOWN once', async () => {
    const a = await start('alpha');
    const sub = await watchChanges(a);

    const victim = spawnServer({
      DATABASE_URL: db.url,
      SLUICE_INSTANCE_NAME: 'victim',
      SLUICE_HEARTBEAT_INTERVAL_MS: '200',
      SLUICE_INSTANCE_TIMEOUT_MS: '1500',
    });
    await victim.ready;
    const victimId = (await sub.until((e) => e.serverInstanceChanged.name === 'victim', 15_000)).serverInstanceChanged
      .id;
    victim.child.kill('SIGKILL');
    await victim.exited;

    const down = await sub.until((e) => e.serverInstanceChanged.id === victimId, 10_000);
    expect(down.serverInstanceChanged).toMatchObject({ status: 'DOWN', stoppedAt: null });
    const rows = await db.query<{ status: string }>('SELECT status FROM server_instance WHERE id = $1', [victimId]);
    expect(rows).toEqual([{ status: 'DOWN' }]);
    // Announced once, by whichever instance noticed first: no second DOWN event follows.
    await expect(sub.until((e) => e.serverInstanceChanged.id === victimId, 1000)).rejects.toThrow(
      /no subscription event/,
    );
  });

  it('filters instances by status', async () => {
    const a = await start('alpha');
    const b = await start('beta');
    apps.splice(apps.indexOf(b), 1);
    await b.stop();
    const up = await gqlData<{ serverInstances: Instance[] }>(
      a.url,
      '{ serverInstances(status: UP) { name } }',
      undefined,
      a.token,
    );
    const down = await gqlData<{ serverInstances: Instance[] }>(
      a.url,
      '{ serverInstances(status: DOWN) { name } }',
      undefined,
      a.token,
    );
    expect(up.serverInstances).toEqual([{ name: 'alpha' }]);
    expect(down.serverInstances).toEqual([{ name: 'beta' }]);
  });
});
