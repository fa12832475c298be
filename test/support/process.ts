import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';

const ROOT = path.resolve(import.meta.dirname, '../..');

export interface ServerProcess {
  child: ChildProcess;
  /** JSON log lines printed so far. */
  lines: Record<string, unknown>[];
  stderr: () => string;
  /** Resolves with the API's base URL once the server logged that it is ready. */
  ready: Promise<string>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Runs `server/src/main.ts` as its own process (as `npm start` does, without the build step). */
export function spawnServer(env: Record<string, string>, as?: { uid: number; gid: number }): ServerProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', 'server/src/main.ts'], {
    cwd: ROOT,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, SLUICE_LOG_FORMAT: 'json', PORT: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    ...as,
  });
  const lines: Record<string, unknown>[] = [];
  let stderr = '';
  let buffer = '';
  let onReady!: (url: string) => void;
  let onFail!: (e: Error) => void;
  const ready = new Promise<string>((resolve, reject) => {
    onReady = resolve;
    onFail = reject;
  });
  child.stdout.on('data', (chunk: Buffer) => {
    buffer += chunk.toString('utf8');
    let nl: number;
    while ((nl = buffer.indexOf('\n')) >= 0) {
      const line = buffer.slice(0, nl);
      buffer = buffer.slice(nl + 1);
      if (process.env.SLUICE_TEST_LOG === '1') process.stderr.write(`${line}\n`);
      try {
        const entry = JSON.parse(line) as Record<string, unknown>;
        lines.push(entry);
        if (entry.msg === 'Sluice is ready') onReady(String(entry.url).replace(/\/graphql$/, ''));
      } catch {
        // not a log line
      }
    }
  });
  ready.catch(() => undefined); // callers that never await `ready` must not see an unhandled rejection
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => {
      onFail(
        new Error(`server exited (${code ?? signal}) before it was ready: ${stderr}${JSON.stringify(lines.slice(-3))}`),
      );
      resolve({ code, signal });
    }),
  );
  return { child, lines, stderr: () => stderr, ready, exited };
}
