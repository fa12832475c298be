import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { access, constants, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { Client } from 'ldapts';

/**
 * A real OpenLDAP server for tests: its own slapd.conf, schema, data and port, so it never
 * depends on (or disturbs) a system slapd. Needs Debian's `slapd` package; `tls: true` also needs
 * `openssl`, for a throw-away self-signed certificate.
 *
 * The directory (`dc=sluice,dc=test`):
 * - `cn=sluice-svc,dc=sluice,dc=test` / `svc-pw`: the service account, which may read everything
 *   but passwords.
 * - `ou=people`: `uid=alice` (`alice-pw`, alice@sluice.test, cn "Alice Liddell", no displayName),
 *   `uid=bob` (`bob-pw`, bob@sluice.test), `uid=carol` (`carol-pw`), `uid=dave` (`dave-pw`,
 *   displayName "Dávid Ödön", in no group).
 * - `ou=groups`, groupOfNames: `cn=sluice-admins` (alice), `cn=data-engineers` (alice, bob),
 *   `cn=viewers` (carol).
 */
export interface Slapd {
  /** `ldap://127.0.0.1:<port>`. */
  url: string;
  /** `ldaps://127.0.0.1:<port>`, with `tls: true` only. */
  ldapsUrl: string | undefined;
  baseDn: string;
  /** The service account. */
  bindDn: string;
  bindPassword: string;
  /** The rootdn: may write anything, for tests that change the directory. */
  rootDn: string;
  rootPassword: string;
  /** slapd's `stats` log so far: one line per connection and operation (BIND, SRCH, …). */
  log(): string;
  /** Kills slapd and deletes its directory; safe to call twice. */
  stop(): Promise<void>;
}

const SLAPD = '/usr/sbin/slapd';
const SLAPADD = '/usr/sbin/slapadd';
const SLAPPASSWD = '/usr/sbin/slappasswd';
const BASE_DN = 'dc=sluice,dc=test';
const SERVICE_DN = `cn=sluice-svc,${BASE_DN}`;
const SERVICE_PASSWORD = 'svc-pw';
const ROOT_DN = `cn=admin,${BASE_DN}`;

export const SLAPD_USERS = {
  alice: { dn: `uid=alice,ou=people,${BASE_DN}`, password: 'alice-pw' },
  bob: { dn: `uid=bob,ou=people,${BASE_DN}`, password: 'bob-pw' },
  carol: { dn: `uid=carol,ou=people,${BASE_DN}`, password: 'carol-pw' },
  dave: { dn: `uid=dave,ou=people,${BASE_DN}`, password: 'dave-pw' },
} as const;

export const SLAPD_GROUPS = {
  admins: `cn=sluice-admins,ou=groups,${BASE_DN}`,
  dataEngineers: `cn=data-engineers,ou=groups,${BASE_DN}`,
  viewers: `cn=viewers,ou=groups,${BASE_DN}`,
} as const;

const run = promisify(execFile);

/** Whatever still runs when the test process exits is killed, so no slapd outlives a crashed run. */
const running = new Set<ChildProcess>();
process.on('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

export async function startSlapd(options: { tls?: boolean } = {}): Promise<Slapd> {
  for (const tool of [SLAPD, SLAPADD, SLAPPASSWD]) {
    await access(tool, constants.X_OK).catch(() => {
      throw new Error(`${tool} is missing: the LDAP tests need OpenLDAP (apt-get install slapd ldap-utils)`);
    });
  }
  const dir = await mkdtemp(path.join(os.tmpdir(), 'sluice-slapd-'));
  try {
    const rootPassword = randomBytes(12).toString('hex');
    await writeFile(path.join(dir, 'seed.ldif'), await seedLdif());
    const tls = options.tls ? await selfSignedCertificate(dir) : undefined;
    await writeFile(path.join(dir, 'slapd.conf'), slapdConf(dir, await ssha(rootPassword), tls));
    await mkdir(path.join(dir, 'data'));
    await run(SLAPADD, ['-q', '-f', path.join(dir, 'slapd.conf'), '-l', path.join(dir, 'seed.ldif')]);
    // A port picked free can be taken again before slapd binds it: then slapd exits, and we retry.
    for (let tries = 1; ; tries++) {
      try {
        return await launch(dir, rootPassword, Boolean(tls));
      } catch (err) {
        if (tries === 3 || !(err instanceof PortTakenError)) throw err;
      }
    }
  } catch (err) {
    await rm(dir, { recursive: true, force: true });
    throw err;
  }
}

class PortTakenError extends Error {}

async function launch(dir: string, rootPassword: string, tls: boolean): Promise<Slapd> {
  const url = `ldap://127.0.0.1:${await freePort()}`;
  const ldapsUrl = tls ? `ldaps://127.0.0.1:${await freePort()}` : undefined;
  // `-d stats` keeps slapd in the foreground (it is our child, not a daemon to find by pid file)
  // and prints one line per operation, which tests read to see what reached the server.
  // As root, slapd keeps running as root (no -u): every file it needs is ours anyway.
  const child = spawn(
    SLAPD,
    ['-d', 'stats', '-f', path.join(dir, 'slapd.conf'), '-h', [url, ldapsUrl].filter(Boolean).join(' ')],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  running.add(child);
  let log = '';
  child.stderr.on('data', (chunk: Buffer) => (log += chunk.toString('utf8')));
  const exited = new Promise<void>((resolve) => {
    child.once('exit', () => {
      running.delete(child);
      resolve();
    });
  });
  let stopped = false;
  const stop = async () => {
    if (!stopped) {
      stopped = true;
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
        await exited;
        clearTimeout(timer);
      }
    }
    await rm(dir, { recursive: true, force: true });
  };

  const deadline = Date.now() + 15_000;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) {
      running.delete(child);
      const message = `slapd exited (${child.exitCode ?? child.signalCode}) before it answered:\n${log.slice(-2000)}`;
      throw /bind\(\) failed|Address already in use/i.test(log) ? new PortTakenError(message) : new Error(message);
    }
    const client = new Client({ url, connectTimeout: 1_000, timeout: 1_000 });
    try {
      await client.bind(SERVICE_DN, SERVICE_PASSWORD);
      break;
    } catch (err) {
      if (Date.now() > deadline) {
        await stop();
        throw new Error(`slapd did not answer within 15 s: ${String(err)}\n${log.slice(-2000)}`, { cause: err });
      }
      await new Promise((r) => setTimeout(r, 25));
    } finally {
      await client.unbind().catch(() => undefined);
    }
  }

  return {
    url,
    ldapsUrl,
    baseDn: BASE_DN,
    bindDn: SERVICE_DN,
    bindPassword: SERVICE_PASSWORD,
    rootDn: ROOT_DN,
    rootPassword,
    log: () => log,
    stop,
  };
}

function slapdConf(dir: string, rootPasswordHash: string, tls: { cert: string; key: string } | undefined): string {
  return `
include /etc/ldap/schema/core.schema
include /etc/ldap/schema/cosine.schema
include /etc/ldap/schema/inetorgperson.schema
include /etc/ldap/schema/nis.schema

modulepath /usr/lib/ldap
moduleload back_mdb

pidfile ${dir}/slapd.pid
argsfile ${dir}/slapd.args
${tls ? `TLSCertificateFile ${tls.cert}\nTLSCertificateKeyFile ${tls.key}\n` : ''}
# A DN with an empty password is an "unauthenticated bind" (RFC 4513 5.1.2). OpenLDAP refuses it
# by default, but other directories let it succeed: allowing it here lets the tests prove that
# Sluice never sends one.
allow bind_anon_dn

database mdb
suffix "${BASE_DN}"
rootdn "${ROOT_DN}"
rootpw ${rootPasswordHash}
directory ${dir}/data

access to attrs=userPassword
  by anonymous auth
  by * none

access to *
  by dn.exact="${SERVICE_DN}" read
  by self read
  by * none
`;
}

async function seedLdif(): Promise<string> {
  const [svc, alice, bob, carol, dave] = await Promise.all(
    [SERVICE_PASSWORD, ...Object.values(SLAPD_USERS).map((u) => u.password)].map(ssha),
  );
  const person = (uid: string, lines: string[], hash: string) => [
    `dn: uid=${uid},ou=people,${BASE_DN}`,
    'objectClass: inetOrgPerson',
    `uid: ${uid}`,
    ...lines,
    `userPassword: ${hash}`,
  ];
  const group = (cn: string, members: (keyof typeof SLAPD_USERS)[]) => [
    `dn: cn=${cn},ou=groups,${BASE_DN}`,
    'objectClass: groupOfNames',
    `cn: ${cn}`,
    ...members.map((m) => `member: ${SLAPD_USERS[m].dn}`),
  ];
  const entries = [
    [`dn: ${BASE_DN}`, 'objectClass: dcObject', 'objectClass: organization', 'dc: sluice', 'o: Sluice'],
    [`dn: ou=people,${BASE_DN}`, 'objectClass: organizationalUnit', 'ou: people'],
    [`dn: ou=groups,${BASE_DN}`, 'objectClass: organizationalUnit', 'ou: groups'],
    [
      `dn: ${SERVICE_DN}`,
      'objectClass: organizationalRole',
      'objectClass: simpleSecurityObject',
      'cn: sluice-svc',
      `userPassword: ${svc}`,
    ],
    person('alice', ['cn: Alice Liddell', 'sn: Liddell', 'mail: alice@sluice.test'], alice!),
    person('bob', ['cn: Bob Builder', 'sn: Builder', 'mail: bob@sluice.test'], bob!),
    person('carol', ['cn: Carol Danvers', 'sn: Danvers', 'mail: carol@sluice.test'], carol!),
    // LDIF carries non-ASCII values base64-encoded (`::`).
    person(
      'dave',
      ['cn: Dave Odon', 'sn: Odon', `displayName:: ${Buffer.from('Dávid Ödön').toString('base64')}`],
      dave!,
    ),
    group('sluice-admins', ['alice']),
    group('data-engineers', ['alice', 'bob']),
    group('viewers', ['carol']),
  ];
  return entries.map((lines) => lines.join('\n')).join('\n\n') + '\n';
}

/** An `{SSHA}` hash of `password`, as slapd stores it (made by slappasswd). */
export async function ssha(password: string): Promise<string> {
  const { stdout } = await run(SLAPPASSWD, ['-h', '{SSHA}', '-s', password]);
  return stdout.trim();
}

async function selfSignedCertificate(dir: string): Promise<{ cert: string; key: string }> {
  const cert = path.join(dir, 'cert.pem');
  const key = path.join(dir, 'key.pem');
  await run('openssl', [
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-days',
    '1',
    '-subj',
    '/CN=localhost',
    '-addext',
    'subjectAltName=DNS:localhost,IP:127.0.0.1',
    '-keyout',
    key,
    '-out',
    cert,
  ]).catch((err: unknown) => {
    throw new Error('slapd with TLS needs openssl (apt-get install openssl)', { cause: err });
  });
  return { cert, key };
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}
