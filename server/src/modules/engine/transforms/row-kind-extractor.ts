/**
 * RowKindExtractor: turns a change stream into an append-only one. Every row becomes INSERT and
 * gains a string field holding its original kind (SHORT: +I -U +U -D; FULL: INSERT ...).
 */
import type { TransformFactory } from '../implementations.js';
import { ROW_KIND_SHORT, type RowBatch, type RowKind, type TableSchema } from '../row.js';

export const rowKindExtractorTransform: TransformFactory = ({ options }) => {
  const fieldName = options.string('custom_field_name', 'row_kind');
  const format = options.enumValue('transform_type', ['SHORT', 'FULL'] as const, 'SHORT');
  const label = (kind: RowKind) => (format === 'SHORT' ? ROW_KIND_SHORT[kind] : kind);
  return {
    open(inputs: TableSchema[]): TableSchema[] {
      return inputs.map((table) => {
        if (table.fields.some((f) => f.name === fieldName)) {
          options.fail(
            'custom_field_name',
            `"${fieldName}" is already a field of ${table.path.table}: choose another name`,
          );
        }
        return { ...table, fields: [...table.fields, { name: fieldName, type: { kind: 'string' }, nullable: false }] };
      });
    },
    apply(batch: RowBatch): RowBatch {
      const kinds = batch.kinds;
      const rows = batch.rows.map((row, i) => [...row, label(kinds?.[i] ?? 'INSERT')]);
      return { table: batch.table, rows, ...(batch.bytes === undefined ? {} : { bytes: batch.bytes }) };
    },
  };
};
