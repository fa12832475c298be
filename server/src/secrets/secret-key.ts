import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { AppError } from '../errors.js';

export const KEY_FILE = 'secret.key';

/**
 * The key that encrypts stored secrets (AES-256-GCM, 32 bytes). SLUICE_SECRET_KEY wins; otherwise
 * the embedded default keeps a generated key in its data directory (mode 0600). A shared database
 * without a configured key gets none: instances must agree on the key, so one must be given.
 */
export async function resolveSecretKey(options: {
  configured: Buffer | undefined;
  dataDir: string;
  embedded: boolean;
}): Promise<Buffer | undefined> {
  if (options.configured) return options.configured;
  if (!options.embedded) return undefined;
  const file = path.join(options.dataDir, KEY_FILE);
  try {
    const key = Buffer.from((await fs.readFile(file, 'utf8')).trim(), 'hex');
    if (key.length !== 32) throw new AppError('DATA_DIR_UNUSABLE', `${file} does not hold a 32-byte hex key`);
    return key;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  const key = randomBytes(32);
  // 'wx': never overwrite a key that appeared meanwhile; losing a key loses every secret.
  await fs.writeFile(file, `${key.toString('hex')}\n`, { mode: 0o600, flag: 'wx' });
  return key;
}
