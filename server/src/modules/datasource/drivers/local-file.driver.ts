import type { Dirent } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { AppError } from '../../../errors.js';
import { datasourceError, type ClassifiedError } from './classify.js';
import type { CatalogFile, ConnectionOptions, DatasourceDriver, DriverContext, TestResult } from './driver.js';

/** A listing walks at most this many directory entries: more means the datasource points too high. */
const MAX_ENTRIES = 100_000;

/** Longest first: `.tar.gz` before `.gz`. */
const COMPRESSIONS: [suffix: string, compression: string][] = [
  ['.tar.gz', 'tar.gz'],
  ['.tgz', 'tar.gz'],
  ['.gz', 'gzip'],
  ['.zip', 'zip'],
  ['.tar', 'tar'],
  ['.lzo', 'lzo'],
  ['.bz2', 'bzip2'],
  ['.zst', 'zstd'],
];

/** File extension → SeaTunnel's file_format_type. */
const FORMATS: Record<string, string> = {
  csv: 'csv',
  json: 'json',
  jsonl: 'json',
  ndjson: 'json',
  txt: 'text',
  log: 'text',
  text: 'text',
  parquet: 'parquet',
  orc: 'orc',
  xls: 'excel',
  xlsx: 'excel',
  xml: 'xml',
};

/** SeaTunnel's format and the compression of a file, from its name (`orders.csv.gz` → csv, gzip). */
export function inferFileFormat(name: string): { format: string | null; compression: string | null } {
  let base = name.toLowerCase();
  let compression: string | null = null;
  for (const [suffix, kind] of COMPRESSIONS) {
    if (base.endsWith(suffix)) {
      compression = kind;
      base = base.slice(0, -suffix.length);
      break;
    }
  }
  const dot = base.lastIndexOf('.');
  const format = dot > 0 ? (FORMATS[base.slice(dot + 1)] ?? null) : null;
  return { format, compression };
}

/** Inside `root` or `root` itself; the trailing separator keeps `/data/root2` out of `/data/root`. */
function isInside(target: string, roots: string[]): boolean {
  return roots.some((root) => target === root || target.startsWith(root.endsWith(path.sep) ? root : root + path.sep));
}

type Located = { dir: string; realRoots: string[] } | { error: ClassifiedError };

/**
 * Finds the datasource's directory. The path is first checked as written, so that nothing is
 * revealed about paths outside the roots (not even whether they exist); then resolved with
 * realpath and checked again, so that a symbolic link cannot lead out of the roots.
 */
async function locate(options: ConnectionOptions, context: DriverContext): Promise<Located> {
  const raw = String(options.path ?? '');
  const realRoots = await Promise.all(
    context.fileRoots.map((root) => fs.realpath(root).catch(() => path.resolve(root))),
  );
  const allowed =
    realRoots.length === 0
      ? 'no directory is allowed (set SLUICE_FILE_ROOTS)'
      : `allowed are ${realRoots.join(', ')} (SLUICE_FILE_ROOTS)`;
  const notAllowed = (why: string): Located => ({ error: { code: 'NOT_ALLOWED', message: `${why}: ${allowed}` } });

  if (!path.isAbsolute(raw)) return notAllowed(`${raw || 'The path'} is not an absolute path`);
  const written = path.resolve(raw);
  if (!isInside(written, [...context.fileRoots.map((r) => path.resolve(r)), ...realRoots])) {
    return notAllowed(`${raw} is outside the allowed directories`);
  }
  let dir: string;
  try {
    dir = await fs.realpath(written);
  } catch (err) {
    return { error: fileError(err, raw) };
  }
  if (!isInside(dir, realRoots))
    return notAllowed(`${raw} leads through a symbolic link outside the allowed directories`);
  try {
    if (!(await fs.stat(dir)).isDirectory()) {
      return {
        error: {
          code: 'NOT_FOUND',
          message: `${raw} is not a directory: point the datasource at the directory that holds the files`,
        },
      };
    }
    // Opening the directory is the real check: access() would answer for the real, not the effective user.
    await (await fs.opendir(dir)).close();
  } catch (err) {
    return { error: fileError(err, raw) };
  }
  return { dir, realRoots };
}

function fileError(err: unknown, raw: string): ClassifiedError {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'ENOENT' || code === 'ENOTDIR') return { code: 'NOT_FOUND', message: `${raw} does not exist` };
  if (code === 'EACCES' || code === 'EPERM') {
    return {
      code: 'PERMISSION_DENIED',
      message: `The Sluice server's user may not read ${raw}: check its permissions`,
    };
  }
  return { code: 'UNKNOWN', message: `Cannot read ${raw}: ${(err as Error).message}` };
}

interface Found {
  /** Relative, `/`-separated. */
  rel: string;
  full: string;
}

/**
 * Every file under `dir`. Symbolic links are followed when they stay inside the roots, except links
 * back to `dir` or above; each real directory is walked once, so no cycle can keep the walk going.
 * Unreadable subdirectories are left out.
 */
async function walk(raw: string, dir: string, realRoots: string[], maxEntries: number): Promise<Found[]> {
  const found: Found[] = [];
  const walked = new Set<string>([dir]);
  const pending: Found[] = [{ rel: '', full: dir }];
  let entries = 0;
  while (pending.length > 0) {
    const { rel, full } = pending.pop()!;
    let dirents: Dirent[];
    try {
      dirents = await fs.readdir(full, { withFileTypes: true });
    } catch {
      continue;
    }
    const subdirectories: Found[] = [];
    // In name order, so that a directory reachable twice (itself and through a link) is always listed the same way.
    for (const entry of dirents.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
      if (++entries > maxEntries) {
        throw new AppError(
          'BAD_USER_INPUT',
          `${raw} holds more than ${maxEntries} files and directories, too many to list: point the datasource at a narrower directory`,
          { path: raw, maxEntries },
        );
      }
      const child = { rel: rel ? `${rel}/${entry.name}` : entry.name, full: path.join(full, entry.name) };
      let isDirectory = entry.isDirectory();
      let isFile = entry.isFile();
      if (entry.isSymbolicLink()) {
        const target = await fs.realpath(child.full).catch(() => null);
        if (target === null || !isInside(target, realRoots)) continue; // dangling, or leading out of the roots
        const stat = await fs.stat(target).catch(() => null);
        isDirectory = stat?.isDirectory() ?? false;
        isFile = stat?.isFile() ?? false;
        // A link back to the listed directory or above it would list everything again under a new name.
        if (isDirectory && isInside(dir, [target])) continue;
        child.full = target;
      }
      if (isFile) found.push(child);
      else if (isDirectory && !walked.has(child.full)) {
        walked.add(child.full);
        subdirectories.push(child);
      }
    }
    pending.push(...subdirectories);
  }
  return found;
}

const byPath = (a: Found, b: Found) => (a.rel < b.rel ? -1 : a.rel > b.rel ? 1 : 0);

/** A LOCAL_FILE driver; `maxEntries` is there for tests of the cap. */
export function createLocalFileDriver({ maxEntries = MAX_ENTRIES }: { maxEntries?: number } = {}): DatasourceDriver {
  return {
    name: 'LOCAL_FILE',
    label: 'Local files',
    options: [
      {
        name: 'path',
        label: 'Directory',
        type: 'PATH',
        required: true,
        secret: false,
        description:
          "Absolute path of a directory on the Sluice server (and the SeaTunnel engine's machines). It must lie inside one of the directories listed in SLUICE_FILE_ROOTS, also after following symbolic links.",
        placeholder: '/data/exports',
      },
    ],

    async test(options: ConnectionOptions, context: DriverContext): Promise<TestResult> {
      const started = performance.now();
      const located = await locate(options, context);
      const latencyMs = Math.max(0, Math.round(performance.now() - started));
      if ('error' in located) return { ok: false, latencyMs, serverVersion: null, error: located.error };
      return { ok: true, latencyMs, serverVersion: null, error: null };
    },

    async files(options, filter, page, context) {
      const raw = String(options.path ?? '');
      const located = await locate(options, context);
      if ('error' in located) throw datasourceError(located.error, { path: raw });
      const search = (filter.search ?? '').toLowerCase();
      const matching = (await walk(raw, located.dir, located.realRoots, maxEntries))
        .filter((f) => f.rel.toLowerCase().includes(search))
        .sort(byPath);
      // Only the page's files are stat'ed: a listing of 100 000 names costs no 100 000 stat calls.
      const items = await Promise.all(
        matching.slice(page.offset, page.offset + page.limit).map(async (f): Promise<CatalogFile | null> => {
          const stat = await fs.stat(f.full).catch(() => null); // removed since the walk
          if (!stat) return null;
          return { path: f.rel, size: stat.size, modifiedAt: stat.mtime, ...inferFileFormat(path.basename(f.rel)) };
        }),
      );
      return { total: matching.length, items: items.filter((f) => f !== null) };
    },
  };
}

export const localFileDriver: DatasourceDriver = createLocalFileDriver();
