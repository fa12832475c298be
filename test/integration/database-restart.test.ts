import { mkdtemp, rm } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EmbeddedPostgres } from '../../server/src/database/embedded-postgres.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { connectSocket, gqlData, type SocketClient } from '../support/graphql.js';
import { captureLogs } from '../support/logs.js';
import { waitFor } from '../support/wait.js';

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((r) => server.close(r));
  return port;
}

const readiness = async (url: string) => (await fetch(`${url}/readyz`)).status;

/** A PostgreSQL of the test's own, so that it can be restarted under a running Sluice. */
describe('when its PostgreSQL restarts', () => {
  let dataDir: string;
  let pg: EmbeddedPostgres;
  let databaseUrl: string;
  const apps: TestApp[] = [];
  let socket: SocketClient | undefined;

  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'sluice-restart-'));
    pg = new EmbeddedPostgres({ dataDir, port: await freePort(), logger: captureLogs().logger });
    databaseUrl = await pg.start();
  });
  afterAll(async () => {
    await socket?.dispose();
    for (const a of apps) await a.stop();
    await pg?.stop();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('goes not-ready while it is down, then recovers: queries answer and subscriptions hear other instances again', async () => {
    const a = await startTestApp({ databaseUrl, env: { SLUICE_INSTANCE_NAME: 'survivor' } });
    apps.push(a);
    const before = a.app.pubSub.subscriberCount; // the instance's own listeners
    socket = await connectSocket(a.url, a.token);
    const sub = socket.subscribe<{ serverInstanceChanged: { name: string } }>(
      'subscription { serverInstanceChanged { name } }',
    );
    await waitFor(() => a.app.pubSub.subscriberCount === before + 1);

    await pg.stop();
    await waitFor(async () => (await readiness(a.url)) === 503, { what: '/readyz to report the outage' });
    await pg.start();
    await waitFor(async () => (await readiness(a.url)) === 200, { timeoutMs: 20_000, what: 'recovery' });

    const { serverInfo } = await gqlData<{ serverInfo: { instanceId: string } }>(
      a.url,
      '{ serverInfo { instanceId } }',
    );
    expect(serverInfo.instanceId).toBe(a.app.instanceId);
    const b = await startTestApp({ databaseUrl, env: { SLUICE_INSTANCE_NAME: 'newcomer' } });
    apps.push(b);
    await sub.until((e) => e.serverInstanceChanged.name === 'newcomer', 10_000);
    expect(a.logs.lines.some((l) => l.msg === 'event bus reconnected')).toBe(true);
  });
});
