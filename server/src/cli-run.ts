/**
 * `sluice run job.conf [-i key=value ...]`: runs a SeaTunnel-format job on the embedded engine,
 * without a server. Progress goes to stderr (a redrawn bar on a terminal, a line every few seconds
 * otherwise), the job's log and the final per-table summary to stdout.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import {
  EmbeddedEngine,
  type EngineHandle,
  type JobResult,
  type LogLine,
  type MetricsSnapshot,
} from './modules/engine/index.js';
import {
  ConfigSyntaxError,
  MissingVariablesError,
  parseJobConfig,
  resolveVariables,
  type ConfigValue,
  type JobConfig,
} from './modules/job-config/index.js';
import { validateJobConfig } from './modules/task/task-validation.js';
import { TaskEngine } from './modules/task/task.enums.js';

export const RUN_USAGE = `  run <job.conf | job.json> [-i name=value ...] [--quiet] [--no-progress]
                      Run a SeaTunnel job on the embedded engine, without a server. -i fills a
                      \${name} variable (also --variable name=value). Prints the job's log and a
                      per-table summary; progress goes to stderr. Exits 0 when the job succeeded,
                      1 when it failed, 2 when the config is invalid, 130 when interrupted.`;

interface RunArgs {
  file: string;
  variables: Record<string, string>;
  quiet: boolean;
  progress: boolean;
}

function parseRunArgs(argv: string[]): RunArgs {
  const variables: Record<string, string> = {};
  let file: string | undefined;
  let quiet = false;
  let progress = true;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '-i' || arg === '--variable' || arg.startsWith('--variable=')) {
      const pair = arg.startsWith('--variable=') ? arg.slice('--variable='.length) : argv[++i];
      const eq = pair?.indexOf('=') ?? -1;
      if (pair === undefined || eq <= 0) throw new UsageError(`${arg} needs name=value, got ${pair ?? 'nothing'}`);
      variables[pair.slice(0, eq)] = pair.slice(eq + 1);
    } else if (arg === '--quiet' || arg === '-q') quiet = true;
    else if (arg === '--no-progress') progress = false;
    else if (arg.startsWith('-')) throw new UsageError(`unknown option ${arg}`);
    else if (file === undefined) file = arg;
    else throw new UsageError(`one job file at a time (got ${file} and ${arg})`);
  }
  if (file === undefined) throw new UsageError('name the job file: sluice run job.conf');
  return { file, variables, quiet, progress };
}

export class UsageError extends Error {}

/** Option values that must never be printed: masked in the engine's log and errors. */
function secretsOf(config: JobConfig): string[] {
  const found: string[] = [];
  const visit = (value: ConfigValue, key: string) => {
    if (typeof value === 'string' && /password|secret|token|credential|access[._-]?key/i.test(key)) found.push(value);
    else if (Array.isArray(value)) value.forEach((v) => visit(v, key));
    else if (value !== null && typeof value === 'object')
      for (const [k, v] of Object.entries(value as Record<string, ConfigValue>)) visit(v, k);
  };
  for (const block of [...config.source, ...config.transform, ...config.sink]) visit(block.options, '');
  return found;
}

const number = (n: number) => Math.round(n).toLocaleString('en-US');
const megabytes = (bytes: number) => `${(bytes / 1_000_000).toFixed(1)} MB`;

function duration(ms: number): string {
  const s = ms / 1000;
  if (s < 60) return `${s.toFixed(1)} s`;
  const m = Math.floor(s / 60);
  return `${m} min ${Math.round(s - m * 60)} s`;
}

/** One line of progress: bar and ETA when the source knows its row count, rows and rate otherwise. */
export function progressLine(m: MetricsSnapshot, width = 28): string {
  const rate = `${number(m.writeRowsPerSecond)} rows/s, ${megabytes(m.writeBytesPerSecond)}/s`;
  const done = `${number(m.rowsWritten)}${m.estimatedRows ? ` / ~${number(m.estimatedRows)}` : ''} rows`;
  if (m.estimatedRows && m.estimatedRows > 0) {
    const fraction = Math.min(m.rowsWritten / m.estimatedRows, 1);
    const filled = Math.round(fraction * width);
    const remaining = Math.max(m.estimatedRows - m.rowsWritten, 0);
    const eta = m.writeRowsPerSecond > 0 ? `ETA ${duration((remaining / m.writeRowsPerSecond) * 1000)}` : 'ETA -';
    return `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${(fraction * 100).toFixed(0).padStart(3)}%  ${done}  ${rate}  ${eta}`;
  }
  return `${done}  ${rate}  ${duration(m.elapsedMs)}`;
}

export function summaryTable(result: JobResult): string {
  const m = result.metrics;
  const rows = m.tables.map((t) => [
    t.table,
    number(t.rowsRead),
    number(t.rowsWritten),
    megabytes(t.bytesRead),
    megabytes(t.bytesWritten),
  ]);
  rows.push(['total', number(m.rowsRead), number(m.rowsWritten), megabytes(m.bytesRead), megabytes(m.bytesWritten)]);
  const header = ['table', 'rows read', 'rows written', 'read', 'written'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) =>
    cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  const seconds = m.elapsedMs / 1000;
  return [
    line(header),
    ...rows.map(line),
    '',
    `${result.status} in ${duration(m.elapsedMs)}: ${number(seconds > 0 ? m.rowsWritten / seconds : 0)} rows/s, peak memory of the engine ${megabytes(m.memoryPeak)}`,
  ].join('\n');
}

function logText(line: LogLine): string {
  const time = line.time.slice(11, 23);
  return `${time} ${line.level.toUpperCase().padEnd(5)} ${line.plugin ? `[${line.plugin}] ` : ''}${line.message}`;
}

/** Runs the command; returns the exit code. */
export async function runCommand(
  argv: string[],
  environment: Record<string, string | undefined>,
  out: NodeJS.WriteStream = process.stdout,
  err: NodeJS.WriteStream = process.stderr,
  /** An engine whose worker was started early (cli.ts); the caller closes it. */
  given?: EmbeddedEngine,
): Promise<number> {
  let args: RunArgs;
  try {
    args = parseRunArgs(argv);
  } catch (e) {
    err.write(`sluice run: ${(e as Error).message}\n${RUN_USAGE}\n`);
    return 2;
  }
  let text: string;
  try {
    text = await fs.readFile(args.file, 'utf8');
  } catch (e) {
    err.write(`sluice run: cannot read ${args.file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}\n`);
    return 2;
  }
  const format = path.extname(args.file).toLowerCase() === '.json' ? 'JSON' : 'HOCON';
  let config: JobConfig;
  try {
    const parsed = parseJobConfig(text, format);
    const diagnostics = [
      ...parsed.diagnostics,
      ...validateJobConfig(parsed.config, { engine: TaskEngine.EMBEDDED, variables: [], datasources: [] }),
    ].filter((d) => d.severity === 'ERROR');
    for (const block of [...parsed.config.source, ...parsed.config.sink]) {
      if (block.options.datasource !== undefined) {
        diagnostics.push({
          severity: 'ERROR',
          message: `${block.plugin}: datasource references resolve on the server only; write the connection options (url, user, password) in the file to run it here`,
          ...(block.line === undefined ? {} : { line: block.line, column: block.column }),
        });
      }
    }
    if (diagnostics.length > 0) {
      for (const d of diagnostics) {
        err.write(`${args.file}${d.line === undefined ? '' : `:${d.line}:${d.column}`}: ${d.message}\n`);
      }
      return 2;
    }
    const fromEnvironment = Object.fromEntries(
      Object.entries(environment).filter((e): e is [string, string] => typeof e[1] === 'string'),
    );
    config = resolveVariables(parsed.config, { ...fromEnvironment, ...args.variables });
  } catch (e) {
    if (e instanceof ConfigSyntaxError) {
      err.write(`${args.file}:${e.line}:${e.column}: ${e.detail}\n`);
      return 2;
    }
    if (e instanceof MissingVariablesError) {
      err.write(`sluice run: ${e.message}\n`);
      return 2;
    }
    throw e;
  }

  const engine = given ?? new EmbeddedEngine({ cwd: process.cwd() });
  const handle: EngineHandle = engine.start({
    jobId: `cli-${Date.now().toString(36)}`,
    config,
    secrets: secretsOf(config),
  });
  const tty = err.isTTY && args.progress;
  let bar = '';
  let lastPlain = 0;
  const clearBar = () => {
    if (tty && bar) err.write('\r\x1b[K');
  };
  const drawBar = () => {
    if (tty && bar) err.write(bar.slice(0, Math.max((err.columns || 120) - 1, 20)));
  };
  handle.on('log', (line) => {
    if (args.quiet && line.level !== 'error' && line.level !== 'warn') return;
    clearBar();
    out.write(`${logText(line)}\n`);
    drawBar();
  });
  handle.on('metrics', (m) => {
    if (!args.progress) return;
    if (tty) {
      clearBar();
      bar = progressLine(m);
      drawBar();
    } else if (m.elapsedMs - lastPlain >= 5000) {
      lastPlain = m.elapsedMs;
      err.write(`${progressLine(m)}\n`);
    }
  });
  const interrupt = () => {
    clearBar();
    err.write('Cancelling: rolling back what the job wrote (Ctrl-C again to kill it)...\n');
    process.once('SIGINT', () => process.exit(130));
    void handle.cancel();
  };
  process.once('SIGINT', interrupt);
  const result = await handle.result;
  process.removeListener('SIGINT', interrupt);
  clearBar();
  out.write(`\n${summaryTable(result)}\n`);
  if (result.error) err.write(`sluice run: ${result.error.code}: ${result.error.message}\n`);
  return result.status === 'SUCCEEDED' ? 0 : result.status === 'CANCELLED' ? 130 : 1;
}
