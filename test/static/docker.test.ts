import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, it, expect } from 'vitest';
import { parse } from 'yaml';
import { settings } from '../../server/src/config.js';

/*
 * Static validation of docker/: the development and CI machines have no Docker engine, so the image
 * is never built here. These checks catch what would break it, or make it disagree with config.ts.
 */

const root = fileURLToPath(new URL('../../', import.meta.url));
const dockerDir = path.join(root, 'docker');
const dockerfilePath = path.join(dockerDir, 'Dockerfile');
const composePath = path.join(dockerDir, 'compose.yaml');

interface ParseResult {
  success: boolean;
  data?: unknown;
  error?: { issues: { message: string }[] };
}
const schemas = settings as unknown as Record<string, { schema: { safeParse(value: unknown): ParseResult } }>;

/** Environment variables the server reads, plus NODE_ENV, which Node libraries read. */
const knownVariables = new Set([...Object.keys(settings), 'NODE_ENV']);

/** Why `value` is not accepted by the setting `name`, or undefined when it is. */
function rejection(name: string, value: string): string | undefined {
  const setting = schemas[name];
  if (setting === undefined) return undefined;
  const result = setting.schema.safeParse(value);
  return result.success ? undefined : `${name}=${value}: ${result.error?.issues.map((i) => i.message).join('; ')}`;
}

const defaultPort = String(settings.PORT.schema.safeParse(undefined).data);

// ---------------------------------------------------------------------------------------------
// compose.yaml

type Service = Record<string, unknown>;
interface Compose {
  services: Record<string, Service>;
}

function loadCompose(): Compose {
  // Compose supports YAML merge keys (`<<: *anchor`); without `merge` they would read as a key named `<<`.
  const doc: unknown = parse(readFileSync(composePath, 'utf8'), { merge: true });
  if (typeof doc !== 'object' || doc === null || !('services' in doc)) throw new Error('compose.yaml has no services');
  return doc as Compose;
}

/** The variables a compose service sets, whether written as a map or as a list of `KEY=value`. */
function environmentOf(service: Service): Map<string, string | undefined> {
  const env = new Map<string, string | undefined>();
  const raw = service.environment;
  if (Array.isArray(raw)) {
    for (const entry of raw) {
      const text = String(entry);
      const eq = text.indexOf('=');
      if (eq === -1) env.set(text, undefined);
      else env.set(text.slice(0, eq), text.slice(eq + 1));
    }
  } else if (typeof raw === 'object' && raw !== null) {
    for (const [key, value] of Object.entries(raw)) env.set(key, value === null ? undefined : String(value));
  }
  return env;
}

// `$$` is an escaped dollar; `${NAME...}` and `$NAME` are interpolations.
const interpolation = /\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)|\$([A-Za-z_][A-Za-z0-9_]*)/g;

/** Every variable compose would interpolate anywhere in `value` (comments are not interpolated). */
function interpolatedNames(value: unknown): string[] {
  if (typeof value === 'string') {
    return [...value.matchAll(interpolation)].flatMap((m) => {
      const name = m[1] ?? m[2];
      return name === undefined ? [] : [name];
    });
  }
  if (Array.isArray(value)) return value.flatMap(interpolatedNames);
  if (typeof value === 'object' && value !== null) {
    return Object.entries(value).flatMap(([k, v]) => [...interpolatedNames(k), ...interpolatedNames(v)]);
  }
  return [];
}

/** `value` with `${VAR:-default}` replaced by its default, or undefined when it depends on the host. */
function withDefaults(value: string): string | undefined {
  let dependsOnHost = false;
  const out = value.replace(
    /\$\$|\$\{[A-Za-z_][A-Za-z0-9_]*(?:(:?-)([^}]*)|[^}]*)\}|\$[A-Za-z_][A-Za-z0-9_]*/g,
    (match, op: string | undefined, fallback: string | undefined) => {
      if (match === '$$') return '$';
      if (op !== undefined) return fallback ?? '';
      dependsOnHost = true;
      return '';
    },
  );
  return dependsOnHost ? undefined : out;
}

/** The Dockerfile a service is built from, as an absolute path, or undefined for an image-only service. */
function dockerfileOf(service: Service): string | undefined {
  const build = service.build;
  if (build === undefined || build === null) return undefined;
  const spec = (typeof build === 'string' ? { context: build } : build) as { context?: string; dockerfile?: string };
  const context = path.resolve(dockerDir, spec.context ?? '.');
  return path.resolve(context, spec.dockerfile ?? 'Dockerfile');
}

interface PortMapping {
  host: string | undefined;
  container: string;
}

function portsOf(service: Service): PortMapping[] {
  const raw = Array.isArray(service.ports) ? (service.ports as unknown[]) : [];
  return raw.map((entry) => {
    if (typeof entry === 'object' && entry !== null) {
      const long = entry as { target?: string | number; published?: string | number };
      return {
        host: long.published === undefined ? undefined : String(long.published),
        container: String(long.target),
      };
    }
    // [ip:][host:]container[/protocol]
    const parts = String(entry)
      .replace(/\/\w+$/, '')
      .split(':');
    return { host: parts.length > 1 ? parts[parts.length - 2] : undefined, container: parts[parts.length - 1]! };
  });
}

function healthcheckCommand(service: Service): string {
  const healthcheck = service.healthcheck as { test?: unknown; disable?: boolean } | undefined;
  if (healthcheck === undefined || healthcheck.disable === true) return '';
  const test = healthcheck.test;
  if (Array.isArray(test)) return test[0] === 'NONE' ? '' : test.slice(1).join(' ');
  return typeof test === 'string' ? test : '';
}

// ---------------------------------------------------------------------------------------------
// Dockerfile

interface Instruction {
  keyword: string;
  args: string;
  line: number;
}
interface Stage {
  name: string | undefined;
  from: string;
  instructions: Instruction[];
}
interface Dockerfile {
  args: Map<string, string>;
  stages: Stage[];
}

/** Instructions with line continuations joined and comment lines dropped, as BuildKit reads them. */
function instructionsOf(text: string): Instruction[] {
  const instructions: Instruction[] = [];
  let pending: { parts: string[]; line: number } | undefined;
  text.split('\n').forEach((raw, index) => {
    const line = raw.replace(/\r$/, '');
    const trimmed = line.trim();
    if (trimmed.startsWith('#') || (trimmed === '' && pending === undefined)) return;
    const continues = /\\\s*$/.test(line);
    const content = continues ? line.replace(/\\\s*$/, '') : line;
    pending ??= { parts: [], line: index + 1 };
    pending.parts.push(content.trim());
    if (continues) return;
    const joined = pending.parts.filter((p) => p !== '').join(' ');
    const match = /^(\S+)\s*(.*)$/.exec(joined);
    if (match) instructions.push({ keyword: match[1]!.toUpperCase(), args: match[2]!, line: pending.line });
    pending = undefined;
  });
  return instructions;
}

function substitute(text: string, args: Map<string, string>): string {
  return text.replace(/\$\{([A-Za-z_]\w*)\}|\$([A-Za-z_]\w*)/g, (m, a?: string, b?: string) => args.get(a ?? b!) ?? m);
}

function parseDockerfile(text: string): Dockerfile {
  const args = new Map<string, string>();
  const stages: Stage[] = [];
  for (const instruction of instructionsOf(text)) {
    const current = stages[stages.length - 1];
    if (instruction.keyword === 'FROM') {
      const words = instruction.args.split(/\s+/).filter((w) => !w.startsWith('--'));
      const name = words[1]?.toUpperCase() === 'AS' ? words[2] : undefined;
      stages.push({ name, from: substitute(words[0] ?? '', args), instructions: [] });
    } else if (current === undefined) {
      if (instruction.keyword === 'ARG') {
        const [key, value] = instruction.args.split('=', 2);
        if (key !== undefined && value !== undefined) args.set(key.trim(), value.trim().replace(/^"(.*)"$/, '$1'));
      }
    } else {
      current.instructions.push(instruction);
    }
  }
  return { args, stages };
}

/** The stage named `ref`, if `ref` names an earlier stage rather than an image. */
function stageNamed(dockerfile: Dockerfile, ref: string): Stage | undefined {
  return dockerfile.stages.find((s) => s.name !== undefined && s.name.toLowerCase() === ref.toLowerCase());
}

/** `stage` and the stages it is built on, base first: what the final image inherits. */
function lineage(dockerfile: Dockerfile, stage: Stage): Stage[] {
  const parent = stageNamed(dockerfile, stage.from);
  return parent === undefined || parent === stage ? [stage] : [...lineage(dockerfile, parent), stage];
}

function baseImageOf(dockerfile: Dockerfile, stage: Stage): string {
  return lineage(dockerfile, stage)[0]!.from;
}

/** Splits shell-like words, honouring double and single quotes. */
function words(text: string): string[] {
  return [...text.matchAll(/"((?:[^"\\]|\\.)*)"|'([^']*)'|(\S+)/g)].map((m) => m[1] ?? m[2] ?? m[3]!);
}

/** Arguments of an instruction written in exec (JSON) form or shell form. */
function argumentsOf(instruction: Instruction): string[] {
  const args = instruction.args.trim();
  if (args.startsWith('[')) {
    try {
      return JSON.parse(args) as string[];
    } catch {
      // Not valid JSON: Docker then treats it as shell form too.
    }
  }
  return words(args);
}

/** `ENV a=1 b=2` and the legacy `ENV a 1`. */
function envPairs(instruction: Instruction): [string, string][] {
  const args = instruction.args.trim();
  if (!/^[^\s=]+=/.test(args)) {
    const [key, ...rest] = args.split(/\s+/);
    return [[key!, rest.join(' ')]];
  }
  return [...args.matchAll(/([^\s=]+)=("(?:[^"\\]|\\.)*"|'[^']*'|\S*)/g)].map(
    (m) => [m[1]!, m[2]!.replace(/^"(.*)"$|^'(.*)'$/, '$1$2')] as [string, string],
  );
}

interface Copy {
  from: string | undefined;
  sources: string[];
  dest: string;
  line: number;
}

function copiesOf(stage: Stage): Copy[] {
  return stage.instructions
    .filter((i) => i.keyword === 'COPY' || i.keyword === 'ADD')
    .map((i) => {
      const all = argumentsOf({ ...i, args: i.args.replace(/^(\s*--\S+\s+)+/, '') });
      const from = /(?:^|\s)--from=(\S+)/.exec(i.args)?.[1];
      return { from, sources: all.slice(0, -1), dest: all[all.length - 1] ?? '', line: i.line };
    });
}

// ---------------------------------------------------------------------------------------------
// .dockerignore

interface IgnoreRule {
  pattern: RegExp;
  exception: boolean;
}

function globToRegExp(glob: string): RegExp {
  let out = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]!;
    if (c === '*' && glob[i + 1] === '*') {
      const slash = glob[i + 2] === '/';
      out += slash ? '(?:.*/)?' : '.*';
      i += slash ? 2 : 1;
    } else if (c === '*') out += '[^/]*';
    else if (c === '?') out += '[^/]';
    else out += c.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${out}$`);
}

function loadDockerignore(): IgnoreRule[] {
  const file = path.join(root, '.dockerignore');
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'))
    .map((l) => {
      const exception = l.startsWith('!');
      const glob = path.posix.normalize((exception ? l.slice(1) : l).trim()).replace(/^\/+|\/+$/g, '');
      return { pattern: globToRegExp(glob), exception };
    });
}

/** Whether Docker leaves `file` (relative to the context) out: the last rule matching it or a parent decides. */
function ignored(rules: IgnoreRule[], file: string): boolean {
  const segments = path.posix
    .normalize(file)
    .replace(/^\/+|\/+$/g, '')
    .split('/');
  const candidates = segments.map((_, i) => segments.slice(0, i + 1).join('/'));
  let result = false;
  for (const rule of rules) {
    if (candidates.some((c) => rule.pattern.test(c))) result = !rule.exception;
  }
  return result;
}

// ---------------------------------------------------------------------------------------------

const compose = loadCompose();
const services = compose.services;
const sluiceServices = Object.entries(services).filter(([, s]) => dockerfileOf(s) === dockerfilePath);

const dockerfile = parseDockerfile(readFileSync(dockerfilePath, 'utf8'));
const buildTarget = sluiceServices
  .map(([, s]) => (s.build as { target?: string }).target)
  .find((t): t is string => t !== undefined);
const runtime =
  buildTarget === undefined ? dockerfile.stages[dockerfile.stages.length - 1]! : stageNamed(dockerfile, buildTarget)!;
const runtimeInstructions = lineage(dockerfile, runtime).flatMap((s) => s.instructions);
const lastOf = (keyword: string) => runtimeInstructions.filter((i) => i.keyword === keyword).at(-1);
const runtimeEnv = new Map(runtimeInstructions.filter((i) => i.keyword === 'ENV').flatMap(envPairs));

describe('docker/compose.yaml', () => {
  it('has PostgreSQL, MongoDB and at least two Sluice instances built from docker/Dockerfile', () => {
    expect(Object.keys(services)).toEqual(expect.arrayContaining(['postgres', 'mongodb']));
    expect(String(services.postgres?.image)).toMatch(/^postgres:/);
    expect(String(services.mongodb?.image)).toMatch(/^mongo:/);
    expect(sluiceServices.length).toBeGreaterThanOrEqual(2);
  });

  it('sets only environment variables that the config schema knows', () => {
    const unknown = sluiceServices.flatMap(([name, s]) =>
      [...environmentOf(s).keys()].filter((key) => !knownVariables.has(key)).map((key) => `${name}: ${key}`),
    );
    expect(unknown).toEqual([]);
  });

  it('interpolates only host variables that are settings', () => {
    const unknown = interpolatedNames(compose).filter((name) => !(name in settings));
    expect(unknown).toEqual([]);
  });

  it('gives Sluice settings values their schemas accept', () => {
    const problems = sluiceServices.flatMap(([name, s]) =>
      [...environmentOf(s)].flatMap(([key, value]) => {
        const resolved = value === undefined ? undefined : withDefaults(value);
        const why = resolved === undefined ? undefined : rejection(key, resolved);
        return why === undefined ? [] : [`${name}: ${why}`];
      }),
    );
    expect(problems).toEqual([]);
  });

  it('points every instance at the compose PostgreSQL with its credentials', () => {
    const pg = environmentOf(services.postgres ?? {});
    for (const [name, s] of sluiceServices) {
      const url = new URL(environmentOf(s).get('DATABASE_URL') ?? `missing://${name}`);
      expect(url.protocol, name).toMatch(/^postgres(ql)?:$/);
      expect(url.hostname, name).toBe('postgres');
      expect([url.username, url.password, url.pathname.slice(1)], name).toEqual([
        pg.get('POSTGRES_USER'),
        pg.get('POSTGRES_PASSWORD'),
        pg.get('POSTGRES_DB'),
      ]);
    }
  });

  it('requires one secret key from the host, shared by every instance, never written in the file', () => {
    const keys = new Set(sluiceServices.map(([, s]) => environmentOf(s).get('SLUICE_SECRET_KEY')));
    expect(keys.size).toBe(1);
    const [key] = keys;
    expect(key).toMatch(/^\$\{SLUICE_SECRET_KEY:\?[^}]+\}$/);
  });

  it('names every instance differently', () => {
    const names = sluiceServices.map(([, s]) => environmentOf(s).get('SLUICE_INSTANCE_NAME'));
    expect(names).not.toContain(undefined);
    expect(new Set(names).size).toBe(names.length);
  });

  it('starts Sluice only once PostgreSQL is healthy', () => {
    expect(healthcheckCommand(services.postgres ?? {})).toMatch(/pg_isready/);
    for (const [name, s] of sluiceServices) {
      const dependsOn = s.depends_on as Record<string, { condition?: string }> | undefined;
      expect(Array.isArray(dependsOn), `${name} lists depends_on without conditions`).toBe(false);
      expect(dependsOn?.postgres?.condition, name).toBe('service_healthy');
    }
  });

  it('checks the health of every service', () => {
    expect(healthcheckCommand(services.mongodb ?? {})).toMatch(/mongosh.*ping/);
    for (const [name, s] of sluiceServices) {
      expect(healthcheckCommand(s), name).toContain(`127.0.0.1:${defaultPort}/healthz`);
      expect(s.restart, name).toBe('unless-stopped');
    }
  });

  it('publishes each instance on its own host port, mapped to the port the server listens on', () => {
    const hostPorts = sluiceServices.flatMap(([name, s]) => {
      const ports = portsOf(s);
      const listening = environmentOf(s).get('PORT') ?? runtimeEnv.get('PORT') ?? defaultPort;
      expect(
        ports.map((p) => p.container),
        name,
      ).toEqual([listening]);
      expect(ports[0]?.host, `${name} has no host port`).toBeDefined();
      return ports.map((p) => p.host);
    });
    expect(new Set(hostPorts).size).toBe(hostPorts.length);
  });
});

describe('docker/Dockerfile', () => {
  it('is made of named stages, ending with the runtime image', () => {
    expect(dockerfile.stages.map((s) => s.name)).toEqual(expect.arrayContaining(['deps', 'build', 'runtime']));
    expect(runtime.name).toBe('runtime');
  });

  it('builds every stage on an official Node 22 image pinned to a minor release', () => {
    for (const stage of dockerfile.stages) {
      expect(baseImageOf(dockerfile, stage), stage.name).toMatch(
        /^(docker\.io\/)?(library\/)?node:22\.\d+(\.\d+)?(-[\w.-]+)?(@sha256:[0-9a-f]{64})?$/,
      );
    }
  });

  it('runs as a user that is not root', () => {
    const user = lastOf('USER')?.args.trim();
    expect(user, 'the runtime image sets no USER, so it runs as root').toBeDefined();
    expect(user).not.toMatch(/^(root|0)(:|$)/);
  });

  it('starts the compiled server that the runtime stage copies in', () => {
    expect(lastOf('ENTRYPOINT')).toBeUndefined();
    const cmd = argumentsOf(lastOf('CMD') ?? { keyword: 'CMD', args: '[]', line: 0 });
    const serverPackage = JSON.parse(readFileSync(path.join(root, 'server/package.json'), 'utf8')) as { main: string };
    const entry = path.posix.join('server', serverPackage.main);
    expect(cmd).toEqual(['node', entry]);

    const workdir = runtimeInstructions
      .filter((i) => i.keyword === 'WORKDIR')
      .reduce((dir, i) => path.posix.resolve(dir, i.args.trim()), '/');
    const entryPath = path.posix.resolve(workdir, entry);
    const copied = copiesOf(runtime).filter(
      (c) => c.from === 'build' && entryPath.startsWith(path.posix.resolve(workdir, c.dest).replace(/\/?$/, '/')),
    );
    expect(copied, `no COPY --from=build puts ${entryPath} into the runtime image`).not.toEqual([]);
  });

  it('installs only production dependencies in the runtime image', () => {
    const installs = runtimeInstructions.filter((i) => i.keyword === 'RUN' && /\bnpm (ci|install|i)\b/.test(i.args));
    expect(installs).not.toEqual([]);
    for (const install of installs) expect(install.args, `line ${install.line}`).toMatch(/npm ci\b[^&;|]*--omit=dev/);
  });

  it('exposes the default PORT of the config schema', () => {
    expect(defaultPort).toMatch(/^\d+$/);
    expect(runtimeEnv.get('PORT') ?? defaultPort).toBe(defaultPort);
    const exposed = runtimeInstructions
      .filter((i) => i.keyword === 'EXPOSE')
      .flatMap((i) => i.args.trim().split(/\s+/))
      .map((p) => p.replace(/\/tcp$/, ''));
    expect(exposed).toContain(defaultPort);
  });

  it('checks its health on /healthz', () => {
    expect(lastOf('HEALTHCHECK')?.args).toMatch(/\/healthz/);
  });

  it('sets only environment variables that the config schema knows, with values it accepts', () => {
    expect([...runtimeEnv.keys()].filter((key) => !knownVariables.has(key))).toEqual([]);
    const problems = [...runtimeEnv].flatMap(([key, value]) => rejection(key, value) ?? []);
    expect(problems).toEqual([]);
    expect(runtimeEnv.get('NODE_ENV')).toBe('production');
    expect(runtimeEnv.get('SLUICE_HOST')).toBe('0.0.0.0');
  });

  it('keeps the data directory in a volume', () => {
    const dataDir = runtimeEnv.get('SLUICE_DATA_DIR');
    expect(dataDir).toBeDefined();
    const volumes = runtimeInstructions.filter((i) => i.keyword === 'VOLUME').flatMap(argumentsOf);
    expect(volumes).toContain(dataDir);
  });

  it('copies only files that exist in the build context and are not ignored by .dockerignore', () => {
    const rules = loadDockerignore();
    const problems = dockerfile.stages.flatMap((stage) =>
      copiesOf(stage)
        .filter((c) => c.from === undefined)
        .flatMap((c) =>
          c.sources.flatMap((source) => {
            // A glob needs only its directory to exist for this check.
            const literal = /[*?[]/.test(source) ? path.posix.dirname(source) : source;
            if (!existsSync(path.join(root, literal))) return [`line ${c.line}: ${source} does not exist`];
            if (ignored(rules, literal)) return [`line ${c.line}: ${source} is excluded by .dockerignore`];
            return [];
          }),
        ),
    );
    expect(problems).toEqual([]);
  });

  it('keeps the server sources in the build context', () => {
    const rules = loadDockerignore();
    const walk = (dir: string, recursive: boolean) =>
      readdirSync(path.join(root, dir), { recursive, encoding: 'utf8' }).map((f) =>
        path.posix.join(dir, f.split(path.sep).join('/')),
      );
    const sources = [...walk('server', false).filter((f) => f.endsWith('.json')), ...walk('server/src', true)].filter(
      (f) => /\.(ts|json)$/.test(f) && !f.endsWith('.test.ts'),
    );
    expect(sources).toContain('server/src/config.ts');
    expect(sources.filter((f) => ignored(rules, f))).toEqual([]);
  });

  it('leaves dependencies, build output and local state out of the build context', () => {
    const rules = loadDockerignore();
    const leaked = ['.git', 'node_modules', 'server/node_modules', 'server/dist', '.sluice', 'server/.sluice'].filter(
      (p) => !ignored(rules, p),
    );
    expect(leaked).toEqual([]);
  });
});
