/**
 * The job config model: what a SeaTunnel job config says, independent of the text it came from.
 * Values are plain JSON-like data plus three marker objects (substitution, concatenation, exact
 * number) that are recognised by their exact key set.
 */

export type ConfigValue =
  string | number | boolean | null | ConfigValue[] | ConfigObject | Substitution | Concatenation;

/** Insertion-ordered plain object. Keys are literal: a key `a.b` is one key, not a path. */
export interface ConfigObject {
  [key: string]: ConfigValue;
}

/** `${a.b}`, `${?a.b}`, `${var:default}`, `${var:}` (default ''). Never resolved here. */
export interface Substitution {
  $substitution: string;
  optional?: boolean;
  default?: string;
}

/** Unquoted value concatenation mixing text and substitutions, e.g. `"jdbc:mysql://"${host}":3306/db"`. */
export interface Concatenation {
  $concat: ConfigValue[];
}

/**
 * A number whose decimal value a JS number cannot hold exactly (9223372036854775807,
 * 0.1000000000000000055511151231257827, 1e400), kept as its exact text. A type alias (not an
 * interface) so that it is a ConfigObject and therefore a ConfigValue.
 */
export type ExactNumber = { $number: string };

export interface PluginBlock {
  plugin: string;
  options: ConfigObject;
  line?: number;
  column?: number;
}

export interface JobConfig {
  env: ConfigObject;
  source: PluginBlock[];
  transform: PluginBlock[];
  sink: PluginBlock[];
  /** Unknown top-level keys, kept. */
  other: ConfigObject;
}

export type Severity = 'ERROR' | 'WARNING' | 'INFO';

export interface Diagnostic {
  severity: Severity;
  message: string;
  line?: number;
  column?: number;
  /** Where in the model: `env.job.mode`, `source[0].url`, `sink[1].rules["a.b"][2]`. */
  path?: string;
}

export type ConfigFormat = 'HOCON' | 'JSON';

export interface Position {
  line: number;
  column: number;
}

/** A mistake in the text itself. The message starts with "line L, column C: ". */
export class ConfigSyntaxError extends Error {
  readonly line: number;
  readonly column: number;
  /** The message without the position prefix. */
  readonly detail: string;

  constructor(line: number, column: number, detail: string) {
    super(`line ${line}, column ${column}: ${detail}`);
    this.name = 'ConfigSyntaxError';
    this.line = line;
    this.column = column;
    this.detail = detail;
  }
}

const hasExactKeys = (value: object, required: string, allowed: readonly string[]): boolean => {
  const keys = Object.keys(value);
  return keys.includes(required) && keys.every((k) => allowed.includes(k));
};

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

export function isSubstitution(value: unknown): value is Substitution {
  return (
    isRecord(value) &&
    typeof value.$substitution === 'string' &&
    hasExactKeys(value, '$substitution', ['$substitution', 'optional', 'default']) &&
    (value.optional === undefined || typeof value.optional === 'boolean') &&
    (value.default === undefined || typeof value.default === 'string')
  );
}

export function isConcatenation(value: unknown): value is Concatenation {
  return isRecord(value) && Array.isArray(value.$concat) && hasExactKeys(value, '$concat', ['$concat']);
}

export function isExactNumber(value: unknown): value is ExactNumber {
  return isRecord(value) && typeof value.$number === 'string' && hasExactKeys(value, '$number', ['$number']);
}

/** A plain config object: not an array and not one of the marker objects. */
export function isConfigObject(value: unknown): value is ConfigObject {
  return isRecord(value) && !isSubstitution(value) && !isConcatenation(value) && !isExactNumber(value);
}

/** Own property or undefined: never `Object.prototype` members such as `constructor`. */
export function own(object: ConfigObject, key: string): ConfigValue | undefined {
  return Object.hasOwn(object, key) ? object[key] : undefined;
}

/** Sets an own property even for keys like `__proto__`, which plain assignment would not. */
export function setOwn(object: ConfigObject, key: string, value: ConfigValue): void {
  Object.defineProperty(object, key, { value, enumerable: true, writable: true, configurable: true });
}

/**
 * Reads an option the way SeaTunnel does: the literal key first (`"job.mode"` from JSON), then the
 * dotted path through nested objects (`job { mode = ... }`, which is what HOCON `job.mode` means).
 */
export function getOption(options: ConfigObject, key: string): ConfigValue | undefined {
  const flat = own(options, key);
  if (flat !== undefined) return flat;
  let current: ConfigValue | undefined = options;
  for (const segment of key.split('.')) {
    if (!isConfigObject(current)) return undefined;
    current = own(current, segment);
  }
  return current;
}

// Positions live beside the model, keyed by object identity, so the model stays plain data.
// A copied config loses them; everything else keeps working.
interface EntryPosition {
  key?: Position;
  value: Position;
}
const entryPositions = new WeakMap<object, Map<string | number, EntryPosition>>();
const nodePositions = new WeakMap<object, Position>();

/** @internal used by the parsers and the builder. */
export function recordEntry(container: object, key: string | number, entry: EntryPosition): void {
  let entries = entryPositions.get(container);
  if (!entries) entryPositions.set(container, (entries = new Map<string | number, EntryPosition>()));
  entries.set(key, entry);
}

/** @internal */
export function entryPosition(container: object, key: string | number): EntryPosition | undefined {
  return entryPositions.get(container)?.get(key);
}

/** @internal */
export function recordNode(node: object, position: Position): void {
  nodePositions.set(node, position);
}

/** @internal */
export function nodePosition(node: object): Position | undefined {
  return nodePositions.get(node);
}

/**
 * Where an option key (or an array element) was written, for objects returned by parseJobConfig.
 * Undefined for objects built or copied elsewhere.
 */
export function positionOf(container: ConfigObject | ConfigValue[], key: string | number): Position | undefined {
  const entry = entryPosition(container, key);
  return entry?.key ?? entry?.value;
}

/** The text SeaTunnel would see for a substitution: its own syntax. */
export function substitutionText(substitution: Substitution): string {
  const optional = substitution.optional ? '?' : '';
  const fallback = substitution.default === undefined ? '' : `:${substitution.default}`;
  return `\${${optional}${substitution.$substitution}${fallback}}`;
}

/**
 * The text SeaTunnel would see for a concatenation of text and substitutions, e.g.
 * `jdbc:mysql://${host}:3306/db`. Undefined when a part is an object or a list.
 */
export function concatenationText(concatenation: Concatenation): string | undefined {
  let text = '';
  for (const part of concatenation.$concat) {
    if (typeof part === 'string') text += part;
    else if (typeof part === 'number' || typeof part === 'boolean' || part === null) text += String(part);
    else if (isExactNumber(part)) text += part.$number;
    else if (isSubstitution(part)) text += substitutionText(part);
    else if (isConcatenation(part)) {
      const inner = concatenationText(part);
      if (inner === undefined) return undefined;
      text += inner;
    } else return undefined;
  }
  return text;
}
