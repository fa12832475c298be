/**
 * File system paths of the LocalFile connectors: listing inputs, partition directory names,
 * and the `${...}` placeholders of sink paths and file names.
 */
import { readdir, realpath, stat } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';

/** Directory entries starting with a dot are skipped: hidden files and every sink's temporary directory. */
export function isHidden(name: string): boolean {
  return name.startsWith('.');
}

/**
 * Every file under `root` (or `root` itself when it is a file), sorted by path, hidden entries
 * (and so the sink's temporary directories) skipped. Throws ENOENT errors as they come.
 */
export async function listFiles(root: string): Promise<string[]> {
  const info = await stat(root);
  if (!info.isDirectory()) return [root];
  const files: string[] = [];
  const seen = new Set<string>();
  const walk = async (dir: string) => {
    // A symbolic link back up the tree would loop forever.
    const real = await realpath(dir);
    if (seen.has(real)) return;
    seen.add(real);
    const entries = await readdir(dir, { withFileTypes: true });
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const entry of entries) {
      if (isHidden(entry.name)) continue;
      const full = join(dir, entry.name);
      let isDir = entry.isDirectory();
      if (entry.isSymbolicLink()) isDir = (await stat(full)).isDirectory();
      if (isDir) await walk(full);
      else files.push(full);
    }
  };
  await walk(root);
  return files;
}

/** `k=v` directory segments between `root` and the file, in order, values unescaped. */
export function partitionsOf(root: string, file: string): [string, string][] {
  const rel = relative(root, file);
  if (rel === '' || rel.startsWith('..')) return [];
  const dirs = rel.split(sep).slice(0, -1);
  const pairs: [string, string][] = [];
  for (const dir of dirs) {
    const eq = dir.indexOf('=');
    if (eq <= 0) continue;
    pairs.push([unescapePathPart(dir.slice(0, eq)), unescapePathPart(dir.slice(eq + 1))]);
  }
  return pairs;
}

/**
 * A value made safe as one directory name: `/`, `\`, `%`, `=`, control characters and NUL are
 * percent-encoded, and `.`/`..` (or an empty value) cannot name a parent or the directory itself.
 * Everyday values (dates, names, numbers) are left as they are, as SeaTunnel writes them.
 */
export function escapePathPart(value: string): string {
  if (value === '') return '%00EMPTY';
  let escaped = '';
  for (const ch of value) {
    const code = ch.charCodeAt(0);
    const special = code < 0x20 || code === 0x7f || ch === '%' || ch === '/' || ch === '\\' || ch === '=';
    escaped += special ? `%${code.toString(16).toUpperCase().padStart(2, '0')}` : ch;
  }
  if (escaped === '.' || escaped === '..') return escaped.replace(/\./g, '%2E');
  return escaped;
}

export function unescapePathPart(text: string): string {
  if (text === '%00EMPTY') return '';
  return text.replace(/%([0-9A-Fa-f]{2})/g, (_m, hex: string) => String.fromCharCode(parseInt(hex, 16)));
}

/** Replaces `${name}` placeholders found in `values`; others are left as written. */
export function substitute(text: string, values: Record<string, string>): string {
  return text.replace(/\$\{([A-Za-z0-9_]+)\}/g, (whole, name: string) =>
    Object.hasOwn(values, name) ? values[name]! : whole,
  );
}
