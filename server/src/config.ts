import path from 'node:path';
import { z } from 'zod';

/**
 * The only module that reads the environment. Every setting is declared once here, with its
 * documentation; `loadConfig` validates them all and reports every problem at once.
 * The README's configuration table is generated from `settings` (`npm run docs:config`) and a
 * test fails when the two drift apart.
 */

const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] as const;

const int = (min: number, max: number) =>
  z
    .string()
    .regex(/^\d+$/, 'must be a whole number')
    .transform(Number)
    .pipe(z.number().min(min, `must be at least ${min}`).max(max, `must be at most ${max}`));

const postgresUrl = z.string().refine(
  (v) => {
    try {
      const u = new URL(v);
      return u.protocol === 'postgres:' || u.protocol === 'postgresql:';
    } catch {
      return false;
    }
  },
  { message: 'must be a postgres:// or postgresql:// URL' },
);

/** 32 bytes, as 64 hex digits or base64 (44 characters with padding). */
const secretKey = z
  .string()
  .refine(
    (v) => /^[0-9a-fA-F]{64}$/.test(v) || (/^[A-Za-z0-9+/]{43}=?$/.test(v) && Buffer.from(v, 'base64').length === 32),
    { message: 'must be 32 bytes written as 64 hex digits or base64' },
  );

interface Setting<T extends z.ZodType> {
  schema: T;
  /** What it does, for the README table. */
  description: string;
  /** Shown instead of the value in error messages. */
  secret?: boolean;
}

const setting = <T extends z.ZodType>(s: Setting<T>): Setting<T> => s;

export const settings = {
  DATABASE_URL: setting({
    schema: postgresUrl.optional(),
    description:
      'PostgreSQL to use. Unset: an embedded PostgreSQL is started in `SLUICE_DATA_DIR`. Several instances pointed at one database form a cluster.',
    secret: true,
  }),
  PORT: setting({
    schema: int(0, 65535).default(5480),
    description:
      'HTTP port for the API (`/graphql`, HTTP and WebSocket), `/healthz` and `/readyz`. 0 picks a free port.',
  }),
  SLUICE_HOST: setting({
    schema: z.string().min(1).default('127.0.0.1'),
    description:
      'Address to listen on. Use `0.0.0.0` to accept connections from other machines (the Docker image does).',
  }),
  LOG_LEVEL: setting({
    schema: z.enum(LOG_LEVELS).default('info'),
    description: 'One of trace, debug, info, warn, error, fatal, silent.',
  }),
  SLUICE_LOG_FORMAT: setting({
    schema: z.enum(['auto', 'pretty', 'json']).default('auto'),
    description: '`pretty` for people, `json` for log collectors; `auto` is pretty in a terminal and JSON otherwise.',
  }),
  SLUICE_DATA_DIR: setting({
    schema: z.string().min(1).default('./.sluice'),
    description: 'Where Sluice keeps its local state: the embedded PostgreSQL cluster and generated keys.',
  }),
  SLUICE_SECRET_KEY: setting({
    schema: secretKey.optional(),
    description:
      'Key (32 bytes, hex or base64) encrypting stored secrets (AES-256-GCM). Unset: the embedded default generates one into `SLUICE_DATA_DIR/secret.key` (mode 0600); instances sharing a `DATABASE_URL` must all be given the same key.',
    secret: true,
  }),
  SLUICE_EMBEDDED_PG_PORT: setting({
    schema: int(0, 65535).default(5481),
    description: 'Port of the embedded PostgreSQL (listens on 127.0.0.1 only). 0 picks a free port at every start.',
  }),
  SLUICE_DB_POOL_SIZE: setting({
    schema: int(1, 200).default(10),
    description:
      'Maximum connections this instance opens to PostgreSQL for queries (the event bus and migrations use up to three more).',
  }),
  SLUICE_INSTANCE_NAME: setting({
    schema: z.string().min(1).max(128).optional(),
    description: 'Human name of this instance in the service status; defaults to `host:port`.',
  }),
  SLUICE_HEARTBEAT_INTERVAL_MS: setting({
    schema: int(100, 600_000).default(5000),
    description: 'How often this instance records that it is alive.',
  }),
  SLUICE_INSTANCE_TIMEOUT_MS: setting({
    schema: int(300, 3_600_000).default(20_000),
    description:
      'An instance whose last heartbeat is older than this is shown DOWN. Must exceed the heartbeat interval.',
  }),
  SLUICE_SHUTDOWN_TIMEOUT_MS: setting({
    schema: int(0, 600_000).default(10_000),
    description: 'On SIGINT/SIGTERM, how long open requests and sockets may take to finish before they are closed.',
  }),
} as const;

type Settings = typeof settings;
export type SettingName = keyof Settings;
type Raw = { [K in SettingName]: z.output<Settings[K]['schema']> };

export interface Config {
  databaseUrl: string | undefined;
  port: number;
  host: string;
  logLevel: (typeof LOG_LEVELS)[number];
  logFormat: 'auto' | 'pretty' | 'json';
  dataDir: string;
  secretKey: Buffer | undefined;
  embeddedPgPort: number;
  dbPoolSize: number;
  instanceName: string | undefined;
  heartbeatIntervalMs: number;
  instanceTimeoutMs: number;
  shutdownTimeoutMs: number;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** Validates every setting of `env` and returns the typed configuration, or throws a ConfigError listing all problems. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): Config {
  const problems: string[] = [];
  const raw: Partial<Record<SettingName, unknown>> = {};
  for (const [name, s] of Object.entries(settings) as [SettingName, Setting<z.ZodType>][]) {
    const value = env[name] === '' ? undefined : env[name];
    const result = s.schema.safeParse(value);
    if (result.success) {
      raw[name] = result.data;
    } else {
      const why = result.error.issues.map((i) => i.message).join('; ');
      const shown = value === undefined || s.secret ? '' : ` (got ${JSON.stringify(value)})`;
      problems.push(`${name}: ${why}${shown}`);
    }
  }
  const r = raw as Raw;
  if (problems.length === 0 && r.SLUICE_INSTANCE_TIMEOUT_MS <= r.SLUICE_HEARTBEAT_INTERVAL_MS) {
    problems.push(
      `SLUICE_INSTANCE_TIMEOUT_MS: must be greater than SLUICE_HEARTBEAT_INTERVAL_MS (${r.SLUICE_HEARTBEAT_INTERVAL_MS})`,
    );
  }
  if (problems.length > 0) throw new ConfigError(problems);

  return {
    databaseUrl: r.DATABASE_URL,
    port: r.PORT,
    host: r.SLUICE_HOST,
    logLevel: r.LOG_LEVEL,
    logFormat: r.SLUICE_LOG_FORMAT,
    dataDir: path.resolve(cwd, r.SLUICE_DATA_DIR),
    secretKey: r.SLUICE_SECRET_KEY === undefined ? undefined : decodeKey(r.SLUICE_SECRET_KEY),
    embeddedPgPort: r.SLUICE_EMBEDDED_PG_PORT,
    dbPoolSize: r.SLUICE_DB_POOL_SIZE,
    instanceName: r.SLUICE_INSTANCE_NAME,
    heartbeatIntervalMs: r.SLUICE_HEARTBEAT_INTERVAL_MS,
    instanceTimeoutMs: r.SLUICE_INSTANCE_TIMEOUT_MS,
    shutdownTimeoutMs: r.SLUICE_SHUTDOWN_TIMEOUT_MS,
  };
}

function decodeKey(v: string): Buffer {
  return /^[0-9a-fA-F]{64}$/.test(v) ? Buffer.from(v, 'hex') : Buffer.from(v, 'base64');
}

/** The default of a setting as shown in docs, or undefined when it has none. */
function defaultOf(s: Setting<z.ZodType>): string | undefined {
  const r = s.schema.safeParse(undefined);
  return r.success && r.data !== undefined ? (typeof r.data === 'string' ? r.data : JSON.stringify(r.data)) : undefined;
}

/** The README's configuration table, in Markdown. */
export function renderConfigTable(): string {
  const rows = (Object.entries(settings) as [SettingName, Setting<z.ZodType>][]).map(([name, s]) => {
    const def = defaultOf(s);
    return `| \`${name}\` | ${def === undefined ? '(unset)' : `\`${def}\``} | ${s.description} |`;
  });
  return ['| variable | default | meaning |', '| --- | --- | --- |', ...rows].join('\n');
}
