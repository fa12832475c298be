import 'reflect-metadata';
import fs from 'node:fs/promises';
import path from 'node:path';
import { collectConfigFiles, parseArgs, SluiceClient } from './cli-client.js';
import { RUN_USAGE, runCommand } from './cli-run.js';
import { ConfigError, environmentVariables, loadClientConfig, loadConfig, type Config } from './config.js';
import { EmbeddedPostgres } from './database/embedded-postgres.js';
import { createOrm, migrate } from './database/orm.js';
import { isAppError } from './errors.js';
import { createLogger, type Logger } from './logger.js';
import { ALARM_CHANNEL_SEALED_SECRETS } from './modules/alarm/index.js';
import { DATASOURCE_SEALED_SECRETS } from './modules/datasource/index.js';
import { RUN_SEALED_PARAMS } from './modules/run/index.js';
import { TASK_SEALED_SECRETS } from './modules/task/index.js';
import { resealColumns, type SealedColumn } from './secrets/reseal.js';
import { SecretBox } from './secrets/secret-box.js';
import { KEY_FILE, NEW_KEY_FILE, readKey, writeNewKey } from './secrets/secret-key.js';

/** Every column holding sealed secrets: a rotation that missed one would leave it unreadable. */
const SEALED_COLUMNS: readonly SealedColumn[] = [
  DATASOURCE_SEALED_SECRETS,
  TASK_SEALED_SECRETS,
  RUN_SEALED_PARAMS,
  ALARM_CHANNEL_SEALED_SECRETS,
];

const USAGE = `Usage: sluice <command>

Commands:
  rotate-secret-key   Re-encrypt every stored secret under a new key: datasource, task,
                      run-parameter and alarm-channel secrets, in one transaction.
                      Embedded database (no DATABASE_URL): stop Sluice, run this; a new key is
                      generated into the data directory. Shared database: set SLUICE_SECRET_KEY to
                      the new key and SLUICE_PREVIOUS_SECRET_KEYS to the old one on every instance,
                      run this once, then remove SLUICE_PREVIOUS_SECRET_KEYS.
  import <files or directories>...
                      Import SeaTunnel configs (.conf, .hocon, .json) as tasks named after their
                      files, through the server at SLUICE_URL with the token in SLUICE_TOKEN.
                      --workspace <name or id>   (default: your only workspace)
                      --on-conflict UPDATE|SKIP|FAIL   (default UPDATE: a new version when changed)
                      --engine EMBEDDED|SEATUNNEL      (default: per file)
                      Exits 1 when a file failed.
  export [task names...]
                      Write tasks as SeaTunnel configs (all tasks when none is named).
                      --workspace <name or id>  --format HOCON|JSON  --out <directory> (default .)
${RUN_USAGE}
  help                This text.
`;

async function rotateSecretKey(config: Config, logger: Logger): Promise<void> {
  let embedded: EmbeddedPostgres | undefined;
  let box: SecretBox;
  let url = config.databaseUrl;
  if (url) {
    if (!config.secretKey)
      throw new Error(
        'Set SLUICE_SECRET_KEY to the key to rotate to (and SLUICE_PREVIOUS_SECRET_KEYS to the old ones)',
      );
    box = new SecretBox([config.secretKey, ...config.previousSecretKeys]);
  } else {
    // Two files so that a crash at any point leaves every secret readable: the new key is written
    // before any secret is sealed with it, and replaces the old one only after the commit.
    const current = await readKey(path.join(config.dataDir, KEY_FILE));
    if (!current) throw new Error(`No ${KEY_FILE} in ${config.dataDir}: nothing was ever encrypted there`);
    const pendingFile = path.join(config.dataDir, NEW_KEY_FILE);
    const next = (await readKey(pendingFile)) ?? (await writeNewKey(pendingFile));
    box = new SecretBox([next, current]);
    embedded = new EmbeddedPostgres({ dataDir: config.dataDir, port: 0, logger });
    url = await embedded.start();
  }
  const orm = await createOrm(url, { poolSize: 2, logger });
  try {
    await migrate(orm, url, logger);
    for (const { label, resealed, current } of await resealColumns(orm.em.fork(), box, SEALED_COLUMNS)) {
      process.stdout.write(`Re-encrypted ${resealed} ${label}(s); ${current} were under the new key already.\n`);
    }
    if (embedded) {
      const keyFile = path.join(config.dataDir, KEY_FILE);
      const retired = path.join(config.dataDir, `secret.key.retired-${new Date().toISOString().replace(/[:.]/g, '-')}`);
      await fs.rename(keyFile, retired);
      await fs.rename(path.join(config.dataDir, NEW_KEY_FILE), keyFile);
      process.stdout.write(
        `The new key is in ${keyFile}. The old one was kept as ${retired}: backups taken before now need it; delete it when they are gone.\n`,
      );
    } else {
      process.stdout.write(
        'Every secret is under SLUICE_SECRET_KEY now: remove SLUICE_PREVIOUS_SECRET_KEYS from every instance.\n',
      );
    }
  } finally {
    await orm.close(true);
    await embedded?.stop();
  }
}

const IMPORT = `mutation($input: ImportTasksInput!) { importTasks(input: $input) {
  results { name file status error diagnostics { severity message line column } task { version engine } } } }`;

async function importCommand(argv: string[]): Promise<number> {
  const { options, rest } = parseArgs(argv, ['workspace', 'on-conflict', 'engine']);
  if (rest.length === 0) throw new Error('Name the files or directories to import');
  const client = new SluiceClient(loadClientConfig());
  const workspace = await client.workspace(options.workspace);
  const files = await collectConfigFiles(rest);
  if (files.length === 0) throw new Error('No .conf, .hocon or .json file found');
  const counts: Record<string, number> = {};
  // Batches of at most 50 files and about 4 MB keep each request small; every file still gets its own result line.
  const batches: { name: string; content: string; path: string }[][] = [[]];
  let batchBytes = 0;
  for (const file of files) {
    const content = await fs.readFile(file, 'utf8');
    if (batches.at(-1)!.length > 0 && (batches.at(-1)!.length >= 50 || batchBytes + content.length > 4_000_000)) {
      batches.push([]);
      batchBytes = 0;
    }
    batches.at(-1)!.push({ name: path.basename(file), content, path: file });
    batchBytes += content.length;
  }
  for (const batch of batches) {
    const { importTasks } = await client.request<{
      importTasks: {
        results: {
          name: string;
          file: string;
          status: string;
          error: string | null;
          diagnostics: { severity: string; message: string; line: number | null; column: number | null }[];
          task: { version: number; engine: string } | null;
        }[];
      };
    }>(IMPORT, {
      input: {
        workspaceId: workspace.id,
        files: batch.map(({ name, content }) => ({ name, content })),
        onConflict: (options['on-conflict'] ?? 'UPDATE').toUpperCase(),
        ...(options.engine ? { engine: options.engine.toUpperCase() } : {}),
      },
    });
    importTasks.results.forEach((r, j) => {
      counts[r.status] = (counts[r.status] ?? 0) + 1;
      const detail = r.task ? `version ${r.task.version}, ${r.task.engine}` : (r.error ?? '');
      process.stdout.write(`${r.status.padEnd(9)} ${r.name}  (${batch[j]!.path})  ${detail}\n`);
      if (r.status === 'FAILED') {
        for (const d of r.diagnostics.filter((d) => d.severity === 'ERROR')) {
          process.stdout.write(`          ${d.line ? `line ${d.line}, column ${d.column}: ` : ''}${d.message}\n`);
        }
      }
    });
  }
  process.stdout.write(
    `\n${files.length} file(s) into workspace ${workspace.name}: ${Object.entries(counts)
      .map(([s, n]) => `${n} ${s.toLowerCase()}`)
      .join(', ')}\n`,
  );
  return counts.FAILED ? 1 : 0;
}

async function exportCommand(argv: string[]): Promise<number> {
  const { options, rest } = parseArgs(argv, ['workspace', 'format', 'out']);
  const format = (options.format ?? 'HOCON').toUpperCase();
  if (format !== 'HOCON' && format !== 'JSON') throw new Error('--format is HOCON or JSON');
  const client = new SluiceClient(loadClientConfig());
  const workspace = await client.workspace(options.workspace);
  const { tasks } = await client.request<{ tasks: { items: { id: string; name: string }[] } }>(
    'query($w: ID!) { tasks(workspaceId: $w, page: { limit: 500 }) { items { id name } } }',
    { w: workspace.id },
  );
  const wanted = rest.length
    ? tasks.items.filter((t) => rest.some((n) => n.toLowerCase() === t.name.toLowerCase()))
    : tasks.items;
  const missing = rest.filter((n) => !tasks.items.some((t) => t.name.toLowerCase() === n.toLowerCase()));
  if (missing.length) throw new Error(`No task named ${missing.join(', ')} in ${workspace.name}`);
  const out = options.out ?? '.';
  await fs.mkdir(out, { recursive: true });
  for (const task of wanted) {
    const { exportTask } = await client.request<{ exportTask: string }>(
      'query($id: ID!, $f: ConfigFormat!) { exportTask(id: $id, format: $f) }',
      { id: task.id, f: format },
    );
    const file = path.join(out, `${task.name.replace(/[\\/:*?"<>|]/g, '_')}.${format === 'JSON' ? 'json' : 'conf'}`);
    await fs.writeFile(file, exportTask);
    process.stdout.write(`${file}\n`);
  }
  process.stdout.write(`${wanted.length} task(s) exported\n`);
  return 0;
}

/** The commands that need the server's modules (the ORM, secrets, the API client). */
export async function main(argv: string[]): Promise<number> {
  const [command] = argv;
  if (!command || command === 'help' || command === '--help') {
    process.stdout.write(USAGE);
    return command ? 0 : 2;
  }
  if (command === 'run') return runCommand(argv.slice(1), environmentVariables());
  if (command === 'import' || command === 'export') {
    try {
      return await (command === 'import' ? importCommand : exportCommand)(argv.slice(1));
    } catch (err) {
      process.stderr.write(`sluice ${command}: ${err instanceof Error ? err.message : String(err)}\n`);
      return err instanceof ConfigError ? 2 : 1;
    }
  }
  let config: Config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      return 2;
    }
    throw err;
  }
  const logger = createLogger({ ...config, logLevel: config.logLevel === 'info' ? 'warn' : config.logLevel });
  try {
    switch (command) {
      case 'rotate-secret-key':
        await rotateSecretKey(config, logger);
        return 0;
      default:
        process.stderr.write(`Unknown command "${command}".\n\n${USAGE}`);
        return 2;
    }
  } catch (err) {
    process.stderr.write(
      `sluice ${command} failed: ${isAppError(err) || err instanceof Error ? err.message : String(err)}\n`,
    );
    return 1;
  }
}
