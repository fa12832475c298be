/**
 * Process accounting from /proc for the benchmark: CPU of the database servers, CPU and peak memory
 * of a measured command and everything it starts.
 *
 * - Client CPU: bash's `times` builtin after the command has been waited for reports the user and
 *   system CPU of all reaped descendants (getrusage RUSAGE_CHILDREN), so no GNU time is needed.
 * - Client peak RSS: every descendant's VmHWM (its own high-water mark) is polled while the command
 *   runs; when GNU time is installed its %M (the largest reaped descendant) is taken too, and the
 *   larger of the two is reported.
 * - Server CPU: deltas of utime+stime of mariadbd, and of the postmaster (including its reaped
 *   children) plus every live postgres child.
 */
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

export const CLOCK_TICKS = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout.trim()) || 100;
export const GNU_TIME = fs.existsSync('/usr/bin/time') ? '/usr/bin/time' : undefined;

/** utime, stime, cutime, cstime of one process, in clock ticks; undefined once it is gone. */
function readStatTimes(pid: number): [number, number, number, number] | undefined {
  let text: string;
  try {
    text = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  // The command name (field 2) may contain spaces and parentheses: count fields after the last ')'.
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  // fields[0] is field 3 (state); utime is field 14.
  return [Number(fields[11]), Number(fields[12]), Number(fields[13]), Number(fields[14])];
}

/** Direct children of a process (all of its threads' children). */
export function childrenOf(pid: number): number[] {
  const out: number[] = [];
  let tasks: string[];
  try {
    tasks = fs.readdirSync(`/proc/${pid}/task`);
  } catch {
    return out;
  }
  for (const tid of tasks) {
    try {
      for (const child of fs.readFileSync(`/proc/${pid}/task/${tid}/children`, 'utf8').split(' ')) {
        if (child.trim() !== '') out.push(Number(child));
      }
    } catch {
      // thread or process ended meanwhile
    }
  }
  return out;
}

function descendantsOf(pid: number): number[] {
  const out: number[] = [];
  const queue = [pid];
  while (queue.length > 0) {
    const next = queue.shift()!;
    for (const child of childrenOf(next)) {
      out.push(child);
      queue.push(child);
    }
  }
  return out;
}

/** The process ids of the database servers, found once per run. */
export interface ServerPids {
  mariadbd?: number;
  postmaster?: number;
}

export function findServerPids(pgDataDir: string | undefined, mariadbPidFile: string | undefined): ServerPids {
  const pids: ServerPids = {};
  const readPidFile = (file: string | undefined) => {
    if (!file) return undefined;
    try {
      const pid = Number(fs.readFileSync(file, 'utf8').split('\n')[0]);
      return Number.isInteger(pid) && pid > 0 && fs.existsSync(`/proc/${pid}`) ? pid : undefined;
    } catch {
      return undefined;
    }
  };
  pids.postmaster = readPidFile(pgDataDir && path.join(pgDataDir, 'postmaster.pid'));
  pids.mariadbd = readPidFile(mariadbPidFile);
  if (pids.mariadbd === undefined || pids.postmaster === undefined) {
    // Fallback: scan /proc by command name (the first postgres whose parent is not a postgres).
    for (const entry of fs.readdirSync('/proc')) {
      if (!/^\d+$/.test(entry)) continue;
      let stat: string;
      try {
        stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
      } catch {
        continue;
      }
      const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (pids.mariadbd === undefined && (name === 'mariadbd' || name === 'mysqld')) pids.mariadbd = Number(entry);
      if (pids.postmaster === undefined && name === 'postgres') {
        const parent = fs.existsSync(`/proc/${ppid}/stat`) ? fs.readFileSync(`/proc/${ppid}/stat`, 'utf8') : '';
        if (!parent.includes('(postgres)')) pids.postmaster = Number(entry);
      }
    }
  }
  return pids;
}

/** CPU ticks of the servers and the machine at one moment. */
export interface CpuSnapshot {
  mariadbd: number;
  postgres: number;
  /** user+nice+system+irq+softirq over all CPUs. */
  busy: number;
  steal: number;
}

export function cpuSnapshot(servers: ServerPids): CpuSnapshot {
  let mariadbd = NaN;
  if (servers.mariadbd !== undefined) {
    const t = readStatTimes(servers.mariadbd);
    if (t) mariadbd = t[0] + t[1];
  }
  let postgres = NaN;
  if (servers.postmaster !== undefined) {
    const t = readStatTimes(servers.postmaster);
    if (t) {
      // Backends that ended were reaped by the postmaster: their CPU is in its cutime/cstime.
      postgres = t[0] + t[1] + t[2] + t[3];
      for (const child of childrenOf(servers.postmaster)) {
        const c = readStatTimes(child);
        if (c) postgres += c[0] + c[1];
      }
    }
  }
  const cpuLine = fs
    .readFileSync('/proc/stat', 'utf8')
    .split('\n')
    .find((l) => l.startsWith('cpu '))!;
  const v = cpuLine.trim().split(/\s+/).slice(1).map(Number);
  // user nice system idle iowait irq softirq steal
  const busy = v[0]! + v[1]! + v[2]! + v[5]! + v[6]!;
  return { mariadbd, postgres, busy, steal: v[7] ?? 0 };
}

export interface CommandResult {
  exitCode: number;
  wallSeconds: number;
  /** User + system CPU of the command and all its descendants. */
  clientUserSeconds: number;
  clientSysSeconds: number;
  /** The largest resident set of any single process of the command, in KiB. */
  peakRssKb: number;
  /** The command line of that process (polled; "(GNU time)" when only GNU time saw it). */
  peakProcess: string;
  /** Every process seen while polling, largest first: its command line and VmHWM in KiB. */
  processes: { command: string; peakKb: number }[];
  serverCpu: { mariadbd: number; postgres: number; busy: number; steal: number };
  /** The last lines of the command's stdout+stderr. */
  outputTail: string;
  logFile: string;
}

function vmHwmKb(pid: number): number {
  try {
    const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    const m = /^VmHWM:\s+(\d+) kB/m.exec(status);
    return m ? Number(m[1]) : 0;
  } catch {
    return 0;
  }
}

function commandLine(pid: number): string {
  try {
    return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0+$/, '').replace(/\0/g, ' ').slice(0, 160);
  } catch {
    return '?';
  }
}

/**
 * Runs `script` with bash (pipefail), timing it and accounting CPU and memory as described above.
 * stdout and stderr go to `logFile`.
 */
export async function measureCommand(
  script: string,
  options: { logFile: string; env?: NodeJS.ProcessEnv; servers: ServerPids; pollMs?: number },
): Promise<CommandResult> {
  const dir = await fsp.mkdtemp(path.join(os.tmpdir(), 'sluice-bench-'));
  const timesFile = path.join(dir, 'times');
  const gnuFile = path.join(dir, 'gnu');
  const wrapped = `set -o pipefail\n${script}\nrc=$?\ntimes > '${timesFile}'\nexit $rc\n`;
  const argv = GNU_TIME ? [GNU_TIME, '-f', '%M', '-o', gnuFile, 'bash', '-c', wrapped] : ['bash', '-c', wrapped];
  const log = await fsp.open(options.logFile, 'w');
  const before = cpuSnapshot(options.servers);
  const started = process.hrtime.bigint();
  const child = spawn(argv[0]!, argv.slice(1), { stdio: ['ignore', log.fd, log.fd], env: options.env });
  const rootPid = child.pid!;
  let peakRssKb = 0;
  let peakProcess = '';
  const peaks = new Map<number, { command: string; peakKb: number }>();
  const poll = () => {
    for (const pid of [rootPid, ...descendantsOf(rootPid)]) {
      const hwm = vmHwmKb(pid);
      let seen = peaks.get(pid);
      if (!seen) {
        seen = { command: commandLine(pid), peakKb: 0 };
        peaks.set(pid, seen);
      }
      if (hwm > seen.peakKb) {
        seen.peakKb = hwm;
        if (hwm > peakRssKb) {
          peakRssKb = hwm;
          peakProcess = seen.command;
        }
      }
    }
  };
  const timer = setInterval(poll, options.pollMs ?? 100);
  const exitCode = await new Promise<number>((resolve, reject) => {
    child.on('error', reject);
    child.on('exit', (code, signal) => resolve(code ?? (signal ? 128 : 1)));
  });
  const wallSeconds = Number(process.hrtime.bigint() - started) / 1e9;
  clearInterval(timer);
  // Let the servers account the work of sessions that just closed (backends exit after the client).
  await new Promise((r) => setTimeout(r, 300));
  const after = cpuSnapshot(options.servers);
  await log.close();

  let clientUserSeconds = NaN;
  let clientSysSeconds = NaN;
  try {
    // Line 1: the shell itself; line 2: its reaped children. Format: 0m1.234s 0m0.567s
    const lines = (await fsp.readFile(timesFile, 'utf8')).trim().split('\n');
    const secs = (s: string) => {
      const m = /^(\d+)m([\d.]+)s$/.exec(s);
      return m ? Number(m[1]) * 60 + Number(m[2]) : NaN;
    };
    const [selfUser, selfSys] = lines[0]!.split(' ').map(secs);
    const [childUser, childSys] = lines[1]!.split(' ').map(secs);
    clientUserSeconds = selfUser! + childUser!;
    clientSysSeconds = selfSys! + childSys!;
  } catch {
    // the shell did not get to `times` (killed): CPU unknown
  }
  if (GNU_TIME) {
    try {
      const gnuKb = Number((await fsp.readFile(gnuFile, 'utf8')).trim().split('\n').at(-1));
      if (gnuKb > peakRssKb) {
        peakRssKb = gnuKb;
        peakProcess = `${peakProcess || '?'} (GNU time saw ${gnuKb} KiB, more than the last poll)`;
      }
    } catch {
      // GNU time wrote nothing (killed)
    }
  }
  await fsp.rm(dir, { recursive: true, force: true });
  const output = await fsp.readFile(options.logFile, 'utf8');
  const tick = (a: number, b: number) => (b - a) / CLOCK_TICKS;
  return {
    exitCode,
    wallSeconds,
    clientUserSeconds,
    clientSysSeconds,
    peakRssKb,
    peakProcess,
    processes: [...peaks.values()].filter((p) => p.peakKb > 0).sort((a, b) => b.peakKb - a.peakKb),
    serverCpu: {
      mariadbd: tick(before.mariadbd, after.mariadbd),
      postgres: tick(before.postgres, after.postgres),
      busy: tick(before.busy, after.busy),
      steal: tick(before.steal, after.steal),
    },
    outputTail: output.split('\n').slice(-15).join('\n').trim(),
    logFile: options.logFile,
  };
}

/** The newest modification time of the .ts files under a directory (is a build stale?). */
export function newestTsMtime(dir: string): number {
  let newest = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestTsMtime(p));
    else if (entry.name.endsWith('.ts')) newest = Math.max(newest, fs.statSync(p).mtimeMs);
  }
  return newest;
}

/** The environment of a benchmarked Sluice server: its database, first admin, a fresh key and run limits. */
export function serverEnv(o: {
  databaseUrl: string;
  admin: { email: string; password: string };
  dataDir: string;
  instanceLimit: number;
  workspaceLimit: number;
}): Record<string, string> {
  return {
    DATABASE_URL: o.databaseUrl,
    SLUICE_ADMIN_EMAIL: o.admin.email,
    SLUICE_ADMIN_PASSWORD: o.admin.password,
    SLUICE_SECRET_KEY: randomBytes(32).toString('hex'),
    SLUICE_DATA_DIR: o.dataDir,
    SLUICE_INSTANCE_RUN_LIMIT: String(o.instanceLimit),
    SLUICE_WORKSPACE_RUN_LIMIT: String(o.workspaceLimit),
  };
}
