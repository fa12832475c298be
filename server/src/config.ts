import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';

/**
 * The only module that reads the environment. Every setting is declared once here, with its
 * documentation; `loadConfig` validates them all and reports every problem at once.
 * The README's configuration table is generated from `settings` (`npm run docs:config`) and a
 * test fails when the two drift apart.
 */

const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] as const;

/** dashboard/dist of this installation: from server/src (tsx, tests) and server/dist alike, two folders up. */
const DEFAULT_DASHBOARD_DIR = fileURLToPath(new URL('../../dashboard/dist', import.meta.url));

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

const bool = z
  .enum(['true', 'false', '1', '0'], { error: 'must be true or false' })
  .transform((v) => v === 'true' || v === '1');

const ROLES = ['ADMIN', 'DEVELOPER', 'OPERATOR', 'VIEWER'] as const;

/** `[{ "group": "<group DN>", "workspace": "<name>", "role": "DEVELOPER" } | { "group": "<DN>", "superuser": true }]` */
const ldapRoleMap = z
  .string()
  .transform((text, ctx) => {
    try {
      return JSON.parse(text) as unknown;
    } catch {
      ctx.addIssue({ code: 'custom', message: 'must be a JSON array' });
      return z.NEVER;
    }
  })
  .pipe(
    z.array(
      z.union([
        z.strictObject({ group: z.string().min(1), workspace: z.string().min(1), role: z.enum(ROLES) }),
        z.strictObject({ group: z.string().min(1), superuser: z.literal(true) }),
      ]),
      { error: 'must be a JSON array of {group, workspace, role} or {group, superuser: true}' },
    ),
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
      'HTTP port for the dashboard (`/`), the API (`/graphql`, HTTP and WebSocket), `/healthz` and `/readyz`. 0 picks a free port.',
  }),
  SLUICE_HOST: setting({
    schema: z.string().min(1).default('127.0.0.1'),
    description:
      'Address to listen on. Use `0.0.0.0` to accept connections from other machines (the Docker image does).',
  }),
  SLUICE_DASHBOARD_DIR: setting({
    schema: z.string().min(1).optional(),
    description:
      'The built dashboard (`npm run build -w dashboard` writes it), served at `/`. Unset: `dashboard/dist` of this installation.',
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
  SLUICE_PREVIOUS_SECRET_KEYS: setting({
    schema: z
      .string()
      .transform((v) =>
        v
          .split(',')
          .map((k) => k.trim())
          .filter(Boolean),
      )
      .pipe(z.array(secretKey))
      .optional(),
    description:
      'Comma-separated keys that sealed secrets before the current `SLUICE_SECRET_KEY`: still readable while `sluice rotate-secret-key` re-encrypts everything under the current key. Remove them afterwards.',
    secret: true,
  }),
  SLUICE_FILE_ROOTS: setting({
    schema: z
      .string()
      .transform((v) =>
        v
          .split(',')
          .map((p) => p.trim())
          .filter(Boolean),
      )
      .pipe(z.array(z.string().startsWith('/', 'each root must be an absolute path')).min(1))
      .optional(),
    description:
      'Comma-separated absolute directories that LOCAL_FILE datasources may point into. Unset: `SLUICE_DATA_DIR/files` only.',
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
  SLUICE_RUN_LEASE_MS: setting({
    schema: int(1000, 600_000).default(15_000),
    description:
      'How long a running run stays owned by its instance without a renewal (renewed every third of it). Past it, any instance ends the run as INSTANCE_LOST (or retries it).',
  }),
  SLUICE_INSTANCE_RUN_LIMIT: setting({
    schema: int(0, 1000).default(8),
    description:
      'Runs this instance executes at once; further queued runs wait for another instance or a free slot. 0: this instance executes no runs (it serves the API and fires schedules).',
  }),
  SLUICE_WORKSPACE_RUN_LIMIT: setting({
    schema: int(1, 100_000).default(20),
    description: 'Runs of one workspace executing at once, across all instances; further runs wait QUEUED.',
  }),
  SLUICE_CANCEL_GRACE_MS: setting({
    schema: int(0, 3_600_000).default(10_000),
    description:
      'How long a cancelled or timed-out run may take to stop (sinks roll back) before its process is killed.',
  }),
  SLUICE_ENGINE_STANDBY_WORKERS: setting({
    schema: int(0, 64).default(2),
    description: 'Embedded-engine worker processes kept started ahead of need, so a run does not wait for one to boot.',
  }),
  SLUICE_ENGINE_JOBS_PER_WORKER: setting({
    schema: int(1, 100_000).default(50),
    description:
      'Jobs one embedded-engine worker process may run one after another before it is replaced. A worker is reused only after a job that succeeded; 1 gives every run a fresh process.',
  }),
  SLUICE_LOG_RETENTION_DAYS: setting({
    schema: int(1, 36_500).default(30),
    description: 'Run log lines and metric samples older than this many days are deleted (checked hourly).',
  }),
  SLUICE_METRICS_RESOLUTION_SECONDS: setting({
    schema: int(1, 3600).default(1),
    description: 'A running job reports metrics every second; one sample per this many seconds is stored.',
  }),
  SLUICE_SCHEDULE_RECONCILE_MS: setting({
    schema: int(1000, 3_600_000).default(60_000),
    description:
      "How often an instance checks that Agenda's jobs match the schedules (missing jobs recreated, orphans removed); also at start.",
  }),
  SLUICE_ALARM_RETRY_BASE_SECONDS: setting({
    schema: int(1, 3600).default(10),
    description:
      'A failed alarm notification is retried after this many seconds times 2^(attempts − 1), at most 10 minutes apart; given up after 8 attempts.',
  }),
  SLUICE_ALARM_DELIVERY_INTERVAL_MS: setting({
    schema: int(100, 60_000).default(1000),
    description:
      'How often each instance looks for alarm notifications due for delivery (an instance that enqueues some also sends them at once).',
  }),
  SLUICE_ALARM_SWEEP_INTERVAL_MS: setting({
    schema: int(100, 3_600_000).default(15_000),
    description:
      'How often the time-based alarm conditions (RUN_LONGER_THAN, NO_SUCCESS_WITHIN) are checked; one instance at a time sweeps (an advisory lock), the others skip the round.',
  }),
  SLUICE_SCHEDULE_MISFIRE_THRESHOLD_SECONDS: setting({
    schema: int(1, 86_400).default(60),
    description:
      "A schedule's occurrence fired later than this is a misfire, handled by the schedule's misfire policy; less late ones all run.",
  }),
  SLUICE_AGENDA_MONGODB_URL: setting({
    schema: z.string().min(1).optional(),
    description:
      "Keep Agenda's jobs (run dispatch, schedules) in this MongoDB instead of PostgreSQL (`mongodb://…`). Every instance must use the same.",
  }),
  SLUICE_TRUST_PROXY: setting({
    schema: z.string().min(1).optional(),
    description:
      "Which proxies may report the client address in `X-Forwarded-For` (Express's `trust proxy`: `loopback`, a hop count, or addresses). Unset: none, the socket's address is the client's. Used by the login rate limits and the audit log.",
  }),
  SLUICE_ADMIN_EMAIL: setting({
    schema: z.email({ error: 'must be an email address' }).default('admin@sluice.local'),
    description: 'Email of the superuser created on the first start (when there are no users yet).',
  }),
  SLUICE_ADMIN_PASSWORD: setting({
    schema: z.string().min(12, 'must have at least 12 characters').max(256).optional(),
    description:
      'Password of that first superuser. Unset: one is generated and printed once on the first start (stored only as an argon2id hash).',
    secret: true,
  }),
  SLUICE_SESSION_TTL_MINUTES: setting({
    schema: int(5, 525_600).default(720),
    description: 'How long a login session lasts.',
  }),
  SLUICE_LDAP_URL: setting({
    schema: z
      .string()
      .regex(/^ldaps?:\/\/[^\s]+$/, 'must be an ldap:// or ldaps:// URL')
      .optional(),
    description: 'Directory for LDAP login (e.g. `ldaps://ldap.example.com`). Unset: only local accounts.',
  }),
  SLUICE_LDAP_BIND_DN: setting({
    schema: z.string().min(1).optional(),
    description: 'Service account that searches the directory. Unset: anonymous search.',
  }),
  SLUICE_LDAP_BIND_PASSWORD: setting({
    schema: z.string().min(1).optional(),
    description: "The service account's password.",
    secret: true,
  }),
  SLUICE_LDAP_SEARCH_BASE: setting({
    schema: z.string().min(1).optional(),
    description: 'Where users are searched (e.g. `ou=people,dc=example,dc=com`). Required with `SLUICE_LDAP_URL`.',
  }),
  SLUICE_LDAP_SEARCH_FILTER: setting({
    schema: z
      .string()
      .includes('{{login}}', { error: 'must contain {{login}}' })
      .default('(|(uid={{login}})(mail={{login}}))'),
    description: 'Finds the user; `{{login}}` is what was typed in the email field, escaped.',
  }),
  SLUICE_LDAP_GROUP_SEARCH_BASE: setting({
    schema: z.string().min(1).optional(),
    description: 'Where groups are searched. Unset: `SLUICE_LDAP_SEARCH_BASE`.',
  }),
  SLUICE_LDAP_GROUP_FILTER: setting({
    schema: z.string().min(1).default('(|(member={{dn}})(uniqueMember={{dn}})(memberUid={{login}}))'),
    description: "Finds the user's groups; `{{dn}}` is the user's DN and `{{login}}` the login, both escaped.",
  }),
  SLUICE_LDAP_ROLE_MAP: setting({
    schema: ldapRoleMap.optional(),
    description:
      'JSON list mapping directory groups to roles: `[{"group":"cn=data-eng,ou=groups,dc=example,dc=com","workspace":"Default","role":"DEVELOPER"},{"group":"cn=sluice-admins,…","superuser":true}]`. Directory users get (and lose) these memberships at every login; the highest role wins.',
  }),
  SLUICE_LDAP_START_TLS: setting({
    schema: bool.default(false),
    description: 'Upgrade an `ldap://` connection with StartTLS.',
  }),
  SLUICE_LDAP_TIMEOUT_MS: setting({
    schema: int(100, 60_000).default(5000),
    description: 'Connect and operation timeout for the directory.',
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
  previousSecretKeys: Buffer[];
  fileRoots: string[];
  embeddedPgPort: number;
  dbPoolSize: number;
  instanceName: string | undefined;
  heartbeatIntervalMs: number;
  instanceTimeoutMs: number;
  shutdownTimeoutMs: number;
  trustProxy: string | undefined;
  /** Absolute path of the built dashboard (its index.html and assets/). */
  dashboardDir: string;
  runs: {
    leaseMs: number;
    instanceLimit: number;
    workspaceLimit: number;
    cancelGraceMs: number;
    standbyWorkers: number;
    jobsPerWorker: number;
    logRetentionDays: number;
    metricsResolutionSeconds: number;
  };
  agendaMongoUrl: string | undefined;
  scheduleReconcileMs: number;
  scheduleMisfireThresholdMs: number;
  alarms: { retryBaseMs: number; deliveryIntervalMs: number; sweepIntervalMs: number };
  admin: { email: string; password: string | undefined };
  sessionTtlMinutes: number;
  ldap: LdapConfig | undefined;
}

export interface LdapConfig {
  /** `ldap://host:port` or `ldaps://host:port`. */
  url: string;
  /** Service account used to search; undefined searches anonymously. */
  bindDn: string | undefined;
  bindPassword: string | undefined;
  searchBase: string;
  searchFilter: string;
  groupSearchBase: string;
  groupFilter: string;
  roleMap: z.output<typeof ldapRoleMap>;
  startTls: boolean;
  /** Applies to the connection and to each LDAP operation separately. */
  timeoutMs: number;
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
  if (problems.length === 0 && r.SLUICE_PREVIOUS_SECRET_KEYS?.length && !r.SLUICE_SECRET_KEY) {
    problems.push('SLUICE_PREVIOUS_SECRET_KEYS: needs SLUICE_SECRET_KEY (the key to rotate to)');
  }
  if (problems.length === 0 && r.SLUICE_LDAP_URL && !r.SLUICE_LDAP_SEARCH_BASE) {
    problems.push('SLUICE_LDAP_SEARCH_BASE: is required when SLUICE_LDAP_URL is set');
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
    previousSecretKeys: (r.SLUICE_PREVIOUS_SECRET_KEYS ?? []).map(decodeKey),
    fileRoots: (r.SLUICE_FILE_ROOTS ?? [path.join(path.resolve(cwd, r.SLUICE_DATA_DIR), 'files')]).map((p) =>
      path.resolve(p),
    ),
    embeddedPgPort: r.SLUICE_EMBEDDED_PG_PORT,
    dbPoolSize: r.SLUICE_DB_POOL_SIZE,
    instanceName: r.SLUICE_INSTANCE_NAME,
    heartbeatIntervalMs: r.SLUICE_HEARTBEAT_INTERVAL_MS,
    instanceTimeoutMs: r.SLUICE_INSTANCE_TIMEOUT_MS,
    shutdownTimeoutMs: r.SLUICE_SHUTDOWN_TIMEOUT_MS,
    trustProxy: r.SLUICE_TRUST_PROXY,
    dashboardDir: r.SLUICE_DASHBOARD_DIR ? path.resolve(cwd, r.SLUICE_DASHBOARD_DIR) : DEFAULT_DASHBOARD_DIR,
    runs: {
      leaseMs: r.SLUICE_RUN_LEASE_MS,
      instanceLimit: r.SLUICE_INSTANCE_RUN_LIMIT,
      workspaceLimit: r.SLUICE_WORKSPACE_RUN_LIMIT,
      cancelGraceMs: r.SLUICE_CANCEL_GRACE_MS,
      standbyWorkers: r.SLUICE_ENGINE_STANDBY_WORKERS,
      jobsPerWorker: r.SLUICE_ENGINE_JOBS_PER_WORKER,
      logRetentionDays: r.SLUICE_LOG_RETENTION_DAYS,
      metricsResolutionSeconds: r.SLUICE_METRICS_RESOLUTION_SECONDS,
    },
    agendaMongoUrl: r.SLUICE_AGENDA_MONGODB_URL,
    scheduleReconcileMs: r.SLUICE_SCHEDULE_RECONCILE_MS,
    scheduleMisfireThresholdMs: r.SLUICE_SCHEDULE_MISFIRE_THRESHOLD_SECONDS * 1000,
    alarms: {
      retryBaseMs: r.SLUICE_ALARM_RETRY_BASE_SECONDS * 1000,
      deliveryIntervalMs: r.SLUICE_ALARM_DELIVERY_INTERVAL_MS,
      sweepIntervalMs: r.SLUICE_ALARM_SWEEP_INTERVAL_MS,
    },
    admin: { email: r.SLUICE_ADMIN_EMAIL, password: r.SLUICE_ADMIN_PASSWORD },
    sessionTtlMinutes: r.SLUICE_SESSION_TTL_MINUTES,
    ldap: r.SLUICE_LDAP_URL
      ? {
          url: r.SLUICE_LDAP_URL,
          bindDn: r.SLUICE_LDAP_BIND_DN,
          bindPassword: r.SLUICE_LDAP_BIND_PASSWORD,
          searchBase: r.SLUICE_LDAP_SEARCH_BASE!,
          searchFilter: r.SLUICE_LDAP_SEARCH_FILTER,
          groupSearchBase: r.SLUICE_LDAP_GROUP_SEARCH_BASE ?? r.SLUICE_LDAP_SEARCH_BASE!,
          groupFilter: r.SLUICE_LDAP_GROUP_FILTER,
          roleMap: r.SLUICE_LDAP_ROLE_MAP ?? [],
          startTls: r.SLUICE_LDAP_START_TLS,
          timeoutMs: r.SLUICE_LDAP_TIMEOUT_MS,
        }
      : undefined,
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

export interface ClientConfig {
  /** Base URL of a Sluice server, e.g. http://127.0.0.1:5480. */
  url: string;
  token: string | undefined;
}

/** Settings of the `sluice` commands that talk to a running server (import, export). */
export function loadClientConfig(env: NodeJS.ProcessEnv = process.env): ClientConfig {
  const problems: string[] = [];
  const url = env.SLUICE_URL || 'http://127.0.0.1:5480';
  try {
    const u = new URL(url);
    if (u.protocol !== 'http:' && u.protocol !== 'https:') problems.push('SLUICE_URL: must be an http(s) URL');
  } catch {
    problems.push(`SLUICE_URL: must be an http(s) URL (got ${JSON.stringify(url)})`);
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return { url: url.replace(/\/+$/, ''), token: env.SLUICE_TOKEN || undefined };
}

/** The process environment, for `sluice run`'s job variables (SeaTunnel fills ${name} from it too). */
export function environmentVariables(env: NodeJS.ProcessEnv = process.env): Record<string, string | undefined> {
  return { ...env };
}
