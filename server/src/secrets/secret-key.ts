import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { AppError } from '../errors.js';

export const KEY_FILE = 'secret.key';
/** A key a rotation is moving to; present only until the rotation finishes (see cli rotate-secret-key). */
export const NEW_KEY_FILE = 'secret.key.new';

/**
 * The keys for stored secrets (AES-256-GCM, 32 bytes each), the sealing key first.
 * - Configured: SLUICE_SECRET_KEY, then SLUICE_PREVIOUS_SECRET_KEYS (still readable during a rotation).
 * - Embedded default: `secret.key` in the data directory (generated on first start, mode 0600), then
 *   `secret.key.new` if an interrupted rotation left one.
 * - A shared database without a configured key: none (instances must agree on the key, so one
 *   must be given; storing a secret then fails with SECRET_KEY_MISSING).
 */
export async function resolveSecretKeys(options: {
  configured: Buffer | undefined;
  previous: Buffer[];
  dataDir: string;
  embedded: boolean;
}): Promise<Buffer[]> {
  if (options.configured) return [options.configured, ...options.previous];
  if (!options.embedded) return [];
  const keyFile = path.join(options.dataDir, KEY_FILE);
  const pendingFile = path.join(options.dataDir, NEW_KEY_FILE);
  if (!(await readKey(keyFile)) && (await readKey(pendingFile))) {
    // A rotation stopped between retiring the old key and installing the new one: finish it.
    await fs.rename(pendingFile, keyFile);
  }
  const current = (await readKey(path.join(options.dataDir, KEY_FILE))) ?? (await createKey(options.dataDir));
  const pending = await readKey(path.join(options.dataDir, NEW_KEY_FILE));
  return pending ? [current, pending] : [current];
}

export async function readKey(file: string): Promise<Buffer | undefined> {
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  const key = Buffer.from(text.trim(), 'hex');
  if (key.length !== 32) throw new AppError('DATA_DIR_UNUSABLE', `${file} does not hold a 32-byte hex key`);
  return key;
}

/** Writes a new key to `file` without ever overwriting one (losing a key loses every secret). */
export async function writeNewKey(file: string, key = randomBytes(32)): Promise<Buffer> {
  await fs.writeFile(file, `${key.toString('hex')}\n`, { mode: 0o600, flag: 'wx' });
  return key;
}

async function createKey(dataDir: string): Promise<Buffer> {
  const file = path.join(dataDir, KEY_FILE);
  try {
    return await writeNewKey(file);
  } catch (err) {
    // Another start created it meanwhile: use theirs.
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return (await readKey(file))!;
    throw err;
  }
}
