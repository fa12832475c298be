import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLOSE_GOING_AWAY } from '../../server/src/app.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';
import { ADMIN } from '../support/app.js';
import { connectSocket, gqlData, login } from '../support/graphql.js';
import { spawnServer } from '../support/process.js';

const ADMIN_ENV = { SLUICE_ADMIN_EMAIL: ADMIN.email, SLUICE_ADMIN_PASSWORD: ADMIN.password };

describe('the server process', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(async () => {
    await db?.drop();
  });

  it('stops cleanly on SIGTERM: sockets told the server is going away, instance DOWN at once, exit 0', async () => {
    const server = spawnServer({ DATABASE_URL: db.url, SLUICE_INSTANCE_NAME: 'graceful', ...ADMIN_ENV });
    const url = await server.ready;
    const { serverInfo } = await gqlData<{ serverInfo: { instanceId: string } }>(url, '{ serverInfo { instanceId } }');
    const socket = await connectSocket(url, await login(url, ADMIN.email, ADMIN.password));
    socket.subscribe('subscription { serverInstanceChanged { id } }');

    server.child.kill('SIGTERM');
    const [closed, exited] = await Promise.all([socket.closed, server.exited]);
    expect(closed.code).toBe(CLOSE_GOING_AWAY);
    expect(exited).toEqual({ code: 0, signal: null });
    expect(server.lines.map((l) => l.msg)).toContain('stopped');
    const rows = await db.query('SELECT status, stopped_at IS NOT NULL AS stopped FROM server_instance WHERE id = $1', [
      serverInfo.instanceId,
    ]);
    expect(rows).toEqual([{ status: 'DOWN', stopped: true }]);
  });

  it('fails fast with a clear message when its port is taken, instead of hanging', async () => {
    const blocker = net.createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r));
    const port = (blocker.address() as net.AddressInfo).port;
    try {
      const server = spawnServer({ DATABASE_URL: db.url, PORT: String(port) });
      const exited = await server.exited;
      expect(exited.code).toBe(1);
      const fatal = server.lines.find((l) => l.level === 60);
      expect(fatal).toMatchObject({
        code: 'PORT_IN_USE',
        msg: `Port ${port} on 127.0.0.1 is already in use: stop what uses it or set PORT.`,
      });
    } finally {
      blocker.close();
    }
  });

  it('refuses to start on bad configuration, listing every problem', async () => {
    const server = spawnServer({ PORT: 'http', LOG_LEVEL: 'chatty', DATABASE_URL: 'mysql://root:pw@localhost/x' });
    const exited = await server.exited;
    expect(exited.code).toBe(2);
    const err = server.stderr();
    expect(err).toContain('Invalid configuration:');
    expect(err).toMatch(/- PORT: must be a whole number/);
    expect(err).toMatch(/- LOG_LEVEL: /);
    expect(err).toMatch(/- DATABASE_URL: must be a postgres/);
    expect(err).not.toContain('pw@');
  });

  it('reports an unreachable database by name, without its password', async () => {
    const server = spawnServer({ DATABASE_URL: 'postgres://sluice:s3cr3t-pw@127.0.0.1:1/nowhere' });
    const exited = await server.exited;
    expect(exited.code).toBe(1);
    const fatal = server.lines.find((l) => l.level === 60);
    expect(fatal?.code).toBe('DATABASE_UNAVAILABLE');
    expect(String(fatal?.msg)).toMatch(/Cannot connect to PostgreSQL/);
    expect(JSON.stringify(server.lines) + server.stderr()).not.toContain('s3cr3t-pw');
  });
});
