/**
 * Split: cuts one field's text at a separator into new string fields appended to the row.
 * As in SeaTunnel, the separator is a regular expression, missing parts are null and parts
 * beyond the output fields are dropped; a null value gives nulls.
 */
import type { TransformFactory } from '../implementations.js';
import { valueText, type RowBatch, type TableSchema, type Value } from '../row.js';

export const splitTransform: TransformFactory = ({ options }) => {
  const separatorText = options.requiredString('separator');
  const fieldName = options.requiredString('split_field');
  const outputs = options.stringList('output_fields') ?? options.fail('output_fields', 'is required');
  if (outputs.length === 0) options.fail('output_fields', 'must name at least one field');
  let separator: RegExp;
  try {
    separator = new RegExp(separatorText, 'u');
  } catch (err) {
    return options.fail('separator', `is not a valid regular expression: ${(err as Error).message}`);
  }
  const indexes: number[] = [];
  return {
    open(inputs: TableSchema[]): TableSchema[] {
      return inputs.map((table, t) => {
        const index = table.fields.findIndex((f) => f.name === fieldName);
        indexes[t] = index;
        if (index < 0) {
          options.fail(
            'split_field',
            `"${fieldName}" is not a field of ${table.path.table} (fields: ${table.fields.map((f) => f.name).join(', ')})`,
          );
        }
        const clash = outputs.find((o) => table.fields.some((f) => f.name === o));
        if (clash) options.fail('output_fields', `"${clash}" is already a field of ${table.path.table}`);
        return {
          ...table,
          fields: [
            ...table.fields,
            ...outputs.map((name) => ({ name, type: { kind: 'string' as const }, nullable: true })),
          ],
        };
      });
    },
    apply(batch: RowBatch): RowBatch {
      const index = indexes[batch.table]!;
      const rows = batch.rows.map((row) => {
        const value = row[index] ?? null;
        const parts: Value[] = value === null ? [] : valueText(value).split(separator);
        // Java's String.split drops trailing empty strings.
        while (parts.length > 0 && parts.at(-1) === '') parts.pop();
        return [...row, ...outputs.map((_, i) => parts[i] ?? null)];
      });
      return { ...batch, rows };
    },
  };
};
