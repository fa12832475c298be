import {
  concatenationText,
  isConcatenation,
  isConfigObject,
  isExactNumber,
  isSubstitution,
  substitutionText,
  type ConfigObject,
  type ConfigValue,
  type JobConfig,
  type PluginBlock,
} from './model.js';
import { canonicalDecimal } from './numbers.js';

/**
 * Deep equality of two job configs, ignoring positions and the order of object keys (not the
 * order of plugins or list elements). Numbers compare by decimal value (`{ $number }` included).
 * A substitution or a text concatenation equals the string SeaTunnel would see for it (`${host}`):
 * the JSON form can only write it that way, and SeaTunnel replaces both forms alike.
 */
export function configsEqual(a: JobConfig, b: JobConfig): boolean {
  return (
    objectsEqual(a.env, b.env) &&
    blocksEqual(a.source, b.source) &&
    blocksEqual(a.transform, b.transform) &&
    blocksEqual(a.sink, b.sink) &&
    objectsEqual(a.other, b.other)
  );
}

function blocksEqual(a: PluginBlock[], b: PluginBlock[]): boolean {
  return (
    a.length === b.length &&
    a.every((block, i) => block.plugin === b[i]!.plugin && objectsEqual(block.options, b[i]!.options))
  );
}

function objectsEqual(a: ConfigObject, b: ConfigObject): boolean {
  const keys = Object.keys(a);
  if (keys.length !== Object.keys(b).length) return false;
  return keys.every((key) => Object.hasOwn(b, key) && valuesEqual(a[key]!, b[key]!));
}

/** Strings, substitutions and text concatenations as the text SeaTunnel sees; undefined otherwise. */
function textOf(value: ConfigValue): string | undefined {
  if (typeof value === 'string') return value;
  if (isSubstitution(value)) return substitutionText(value);
  if (isConcatenation(value)) return concatenationText(value);
  return undefined;
}

function valuesEqual(a: ConfigValue, b: ConfigValue): boolean {
  if (a === b) return true;
  const textA = textOf(a);
  const textB = textOf(b);
  if (textA !== undefined || textB !== undefined) {
    if (textA !== undefined && textB !== undefined) return textA === textB;
    if (isConcatenation(a) && isConcatenation(b)) return listsEqual(a.$concat, b.$concat);
    return false;
  }
  const numeric = (v: ConfigValue) => typeof v === 'number' || isExactNumber(v);
  if (numeric(a) || numeric(b)) {
    if (!numeric(a) || !numeric(b)) return false;
    const literal = (v: ConfigValue) => (typeof v === 'number' ? String(v) : (v as { $number: string }).$number);
    return canonicalDecimal(literal(a)) === canonicalDecimal(literal(b));
  }
  if (Array.isArray(a) || Array.isArray(b)) return Array.isArray(a) && Array.isArray(b) && listsEqual(a, b);
  if (isConfigObject(a) && isConfigObject(b)) return objectsEqual(a, b);
  return false;
}

function listsEqual(a: ConfigValue[], b: ConfigValue[]): boolean {
  return a.length === b.length && a.every((item, i) => valuesEqual(item, b[i]!));
}
