import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { AppError } from '../errors.js';

/**
 * Authenticated encryption of small secrets (datasource passwords, tokens) with AES-256-GCM.
 *
 * Layout: `0x01` (version) | key fingerprint (8 bytes) | IV (12) | auth tag (16) | ciphertext.
 * The fingerprint names the key that sealed the value, so a wrong key is a clear error instead
 * of garbage, and a rotation can resume: values already under the new key are recognised.
 * The caller's `context` (e.g. `datasource:<id>`) is bound as associated data, so a ciphertext
 * copied onto another row does not decrypt.
 */
const VERSION = 1;
const FINGERPRINT_BYTES = 8;
const IV_BYTES = 12;
const TAG_BYTES = 16;
const HEADER_BYTES = 1 + FINGERPRINT_BYTES + IV_BYTES + TAG_BYTES;

export function keyFingerprint(key: Buffer): Buffer {
  return createHash('sha256').update('sluice-secret-key').update(key).digest().subarray(0, FINGERPRINT_BYTES);
}

export class SecretBox {
  private readonly keys: { key: Buffer; fingerprint: Buffer }[];

  /** `keys[0]` seals; every key opens what it sealed (older keys during a rotation). */
  constructor(keys: Buffer[]) {
    if (keys.length === 0) throw new Error('SecretBox needs at least one key');
    for (const key of keys) if (key.length !== 32) throw new Error('secret keys are 32 bytes');
    this.keys = keys.map((key) => ({ key, fingerprint: keyFingerprint(key) }));
  }

  get fingerprint(): Buffer {
    return this.keys[0]!.fingerprint;
  }

  seal(plaintext: string, context: string): Buffer {
    const { key, fingerprint } = this.keys[0]!;
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', key, iv);
    cipher.setAAD(Buffer.from(context, 'utf8'));
    const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return Buffer.concat([Buffer.from([VERSION]), fingerprint, iv, cipher.getAuthTag(), ciphertext]);
  }

  open(sealed: Buffer, context: string): string {
    if (sealed.length < HEADER_BYTES || sealed[0] !== VERSION) {
      throw new AppError('SECRET_UNREADABLE', 'A stored secret has an unknown format');
    }
    const fingerprint = sealed.subarray(1, 1 + FINGERPRINT_BYTES);
    const entry = this.keys.find((k) => k.fingerprint.equals(fingerprint));
    if (!entry) {
      throw new AppError(
        'SECRET_UNREADABLE',
        'A stored secret was encrypted with another key: SLUICE_SECRET_KEY is not the key these secrets were saved with',
      );
    }
    const iv = sealed.subarray(1 + FINGERPRINT_BYTES, 1 + FINGERPRINT_BYTES + IV_BYTES);
    const tag = sealed.subarray(1 + FINGERPRINT_BYTES + IV_BYTES, HEADER_BYTES);
    const decipher = createDecipheriv('aes-256-gcm', entry.key, iv);
    decipher.setAAD(Buffer.from(context, 'utf8'));
    decipher.setAuthTag(tag);
    try {
      return Buffer.concat([decipher.update(sealed.subarray(HEADER_BYTES)), decipher.final()]).toString('utf8');
    } catch {
      throw new AppError(
        'SECRET_UNREADABLE',
        'A stored secret failed its integrity check (altered, or moved from another row)',
      );
    }
  }

  /** True when `sealed` is under the sealing key already (a rotation skips it). */
  isCurrent(sealed: Buffer): boolean {
    return sealed.subarray(1, 1 + FINGERPRINT_BYTES).equals(this.fingerprint);
  }
}
