import type { EntityManager } from '@mikro-orm/postgresql';
import { AppError } from '../errors.js';
import type { SecretBox } from './secret-box.js';

/**
 * A column whose values a SecretBox sealed, one per row, bound to the row by `context(id)`.
 * The module that seals the column exports it, with the very context function its service uses.
 */
export interface SealedColumn {
  /** What one value is, for people, singular: `datasource secret set`. */
  label: string;
  /** A table whose primary key is a column `id`. */
  table: string;
  /** A `bytea` column, null when the row has nothing sealed. */
  column: string;
  context: (id: string) => string;
}

export interface ResealCount {
  label: string;
  /** Values re-sealed under the box's sealing key. */
  resealed: number;
  /** Values that were under it already (an earlier, interrupted rotation got to them). */
  current: number;
}

const IDENTIFIER = /^[a-z_][a-z0-9_]*$/;
const DEFAULT_BATCH_SIZE = 500;

/**
 * Re-seals every value of `columns` that is not under the box's sealing key, in one transaction:
 * either every secret is under the new key afterwards, or (an error) nothing changed. Rows are
 * read in id order, `batchSize` at a time, and locked (`FOR UPDATE`) so that a concurrent save
 * waits instead of being overwritten with the value read before it. A value no key opens aborts
 * the whole rotation with the table and row named: dropping the old key would lose it for good.
 */
export async function resealColumns(
  em: EntityManager,
  box: SecretBox,
  columns: readonly SealedColumn[],
  { batchSize = DEFAULT_BATCH_SIZE }: { batchSize?: number } = {},
): Promise<ResealCount[]> {
  for (const { table, column } of columns) {
    if (!IDENTIFIER.test(table) || !IDENTIFIER.test(column))
      throw new Error(`Not a plain identifier: ${table}.${column}`);
  }
  return em.transactional(async (tx) => {
    const counts: ResealCount[] = [];
    for (const sealed of columns) {
      const count: ResealCount = { label: sealed.label, resealed: 0, current: 0 };
      let after: string | null = null;
      for (;;) {
        const rows: { id: string; value: Buffer }[] = await tx.execute(
          `SELECT id::text AS id, "${sealed.column}" AS value FROM "${sealed.table}"
           WHERE "${sealed.column}" IS NOT NULL${after === null ? '' : ' AND id > ?'}
           ORDER BY id LIMIT ? FOR UPDATE`,
          after === null ? [batchSize] : [after, batchSize],
        );
        for (const { id, value } of rows) {
          if (box.isCurrent(value)) {
            count.current += 1;
            continue;
          }
          const context = sealed.context(id);
          let plaintext: string;
          try {
            plaintext = box.open(value, context);
          } catch (err) {
            throw new AppError(
              'SECRET_UNREADABLE',
              `The ${sealed.label} of ${sealed.table} ${id} cannot be opened with any key given (${err instanceof Error ? err.message : String(err)}); nothing was re-encrypted`,
              { table: sealed.table, id },
              { cause: err },
            );
          }
          await tx.execute(`UPDATE "${sealed.table}" SET "${sealed.column}" = ? WHERE id = ?`, [
            box.seal(plaintext, context),
            id,
          ]);
          count.resealed += 1;
        }
        if (rows.length < batchSize) break;
        after = rows.at(-1)!.id;
      }
      counts.push(count);
    }
    return counts;
  });
}
