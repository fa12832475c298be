import { createHash, randomBytes } from 'node:crypto';
import { hash, verify } from '@node-rs/argon2';
import { UserInputError } from '../../errors.js';

/** argon2id with OWASP's recommended minimum (19 MiB, 2 passes, 1 lane). */
// algorithm 2 is Argon2id (the package's const enum cannot be imported under isolatedModules).
const ARGON2 = { algorithm: 2, memoryCost: 19_456, timeCost: 2, parallelism: 1 };

export const PASSWORD_MIN_LENGTH = 12;
/** Bounded so that hashing a submitted "password" cannot be used to burn CPU. */
export const PASSWORD_MAX_LENGTH = 256;

export function checkPasswordPolicy(password: string, field = 'password'): void {
  if (password.length < PASSWORD_MIN_LENGTH) {
    throw new UserInputError(`The password must have at least ${PASSWORD_MIN_LENGTH} characters`, { field });
  }
  if (password.length > PASSWORD_MAX_LENGTH) {
    throw new UserInputError(`The password must have at most ${PASSWORD_MAX_LENGTH} characters`, { field });
  }
}

export function hashPassword(password: string): Promise<string> {
  return hash(password, ARGON2);
}

/** A real hash of a random secret: verifying against it costs what a real check costs. */
let decoy: Promise<string> | undefined;

/**
 * Verifies `password` against `stored`; with no stored hash (unknown user, directory user) it
 * still runs one verification so the answer takes the same time either way.
 */
export async function verifyPassword(stored: string | null, password: string): Promise<boolean> {
  if (password.length > PASSWORD_MAX_LENGTH) return false;
  if (!stored) {
    await verify(await (decoy ??= hashPassword(randomBytes(16).toString('hex'))), password).catch(() => false);
    return false;
  }
  try {
    return await verify(stored, password);
  } catch {
    return false;
  }
}

export function generatePassword(): string {
  return randomBytes(18).toString('base64url');
}

/**
 * Bearer secrets: a recognisable prefix (`slu_s_` session, `slu_t_` API token, as secret scanners
 * like) and 32 random bytes. High entropy, so a plain SHA-256 is a safe lookup key.
 */
export function newBearer(kind: 'session' | 'api'): { secret: string; hash: string; prefix: string } {
  const secret = `slu_${kind === 'session' ? 's' : 't'}_${randomBytes(32).toString('base64url')}`;
  return { secret, hash: hashBearer(secret), prefix: secret.slice(0, 12) };
}

export function hashBearer(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex');
}
