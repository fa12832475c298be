import { UniqueConstraintViolationException } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { AppError } from '../errors.js';

/** Escapes `%`, `_` and `\` so that a (I)LIKE pattern matches the text literally. */
export function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}

/** Flushes, turning a unique-constraint violation into a CONFLICT that names the field. */
export async function flushUnique(em: EntityManager, message: string, field: string): Promise<void> {
  try {
    await em.flush();
  } catch (err) {
    if (err instanceof UniqueConstraintViolationException) throw new AppError('CONFLICT', message, { field });
    throw err;
  }
}
