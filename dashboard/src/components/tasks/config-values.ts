import {
  ConfigSyntaxError,
  isConcatenation,
  isConfigObject,
  isExactNumber,
  isSubstitution,
  parseJobConfig,
  renderHocon,
  substitutionText,
  type ConfigObject,
  type ConfigValue,
  type JobConfig,
} from '@job-config';

/**
 * Reading and writing a block's options for the form, on the model `@job-config` parses: option
 * names are dotted (`row.num`) and live nested (`row { num }`) unless written as one quoted key.
 */

/**
 * `getOption` (the literal key first, then the dotted path), reading through `in` so that Vue tracks
 * keys that do not exist yet: a form field then updates when its option is added.
 */
export function readOption(options: ConfigObject, name: string): ConfigValue | undefined {
  if (name in options && Object.hasOwn(options, name)) return options[name];
  let current: ConfigValue | undefined = options;
  for (const segment of name.split('.')) {
    if (!isConfigObject(current) || !(segment in current) || !Object.hasOwn(current, segment)) return undefined;
    current = current[segment];
  }
  return current;
}

/** Sets (or, with undefined, removes) an option, keeping the spelling the config already uses. */
export function writeOption(options: ConfigObject, name: string, value: ConfigValue | undefined): void {
  if (Object.hasOwn(options, name) || !name.includes('.')) {
    if (value === undefined) delete options[name];
    else options[name] = value;
    return;
  }
  const segments = name.split('.');
  const parents: ConfigObject[] = [options];
  let current = options;
  for (const segment of segments.slice(0, -1)) {
    const next = Object.hasOwn(current, segment) ? current[segment] : undefined;
    if (isConfigObject(next)) current = next;
    else if (next === undefined && value !== undefined) {
      const created: ConfigObject = {};
      current[segment] = created;
      current = created;
    } else {
      // A scalar sits where the path goes on (or there is nothing to remove): use the literal key.
      if (value === undefined) delete options[name];
      else options[name] = value;
      return;
    }
    parents.push(current);
  }
  const last = segments.at(-1)!;
  if (value !== undefined) {
    current[last] = value;
    return;
  }
  delete current[last];
  // Drop the objects the removal emptied, so `row {}` does not linger in the text.
  for (let i = parents.length - 1; i > 0; i--) {
    if (Object.keys(parents[i]!).length > 0) break;
    delete parents[i - 1]![segments[i - 1]!];
  }
}

/**
 * The options present in a block, as dotted names, split into those the plugin declares and the
 * others (kept and shown as raw rows). Descends into objects only where a declared name goes on.
 */
export function presentOptions(
  options: ConfigObject,
  declared: readonly string[],
): { known: string[]; unknown: string[] } {
  const known: string[] = [];
  const unknown: string[] = [];
  const walk = (object: ConfigObject, prefix: string): void => {
    for (const [key, value] of Object.entries(object)) {
      const name = prefix + key;
      if (declared.includes(name)) known.push(name);
      else if (isConfigObject(value) && declared.some((d) => d.startsWith(`${name}.`))) walk(value, `${name}.`);
      else unknown.push(name);
    }
  };
  walk(options, '');
  return { known, unknown };
}

function concatenationText(parts: ConfigValue[]): string {
  return parts
    .map((part) => (Array.isArray(part) || isConfigObject(part) ? JSON.stringify(part) : scalarText(part)))
    .join('');
}

/** A scalar as the user reads it in an input: text as is, `${var}` for substitutions. */
export function scalarText(value: ConfigValue | undefined): string {
  if (value === undefined || value === null) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (isExactNumber(value)) return value.$number;
  if (isSubstitution(value)) return substitutionText(value);
  if (isConcatenation(value)) return concatenationText(value.$concat);
  return JSON.stringify(value);
}

/** True for values an input box can show and give back unchanged. */
export function isScalar(value: ConfigValue | undefined): boolean {
  return (
    value === undefined ||
    typeof value === 'string' ||
    typeof value === 'number' ||
    typeof value === 'boolean' ||
    isExactNumber(value) ||
    isSubstitution(value)
  );
}

const SUBSTITUTION = /^\$\{(\?)?([A-Za-z0-9_.-]+)(?::([^}\n]*))?\}$/;
const INTEGER = /^-?\d+$/;
const DECIMAL = /^-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?$/;

/** `${name}` typed alone in a field becomes a variable; anything else stays text. */
function substitutionOf(text: string): ConfigValue | undefined {
  const match = SUBSTITUTION.exec(text);
  if (!match) return undefined;
  return {
    $substitution: match[2]!,
    ...(match[1] ? { optional: true } : {}),
    ...(match[3] === undefined ? {} : { default: match[3] }),
  };
}

/**
 * What an input's text means for an option of this type: empty removes the option, `${var}` is a
 * variable, numbers become numbers (exact text kept beyond a double's precision); anything else
 * stays text, which validation then reports if the type does not accept it.
 */
export function valueFromText(text: string, type: 'STRING' | 'INT' | 'DOUBLE'): ConfigValue | undefined {
  if (text === '') return undefined;
  const variable = substitutionOf(text.trim());
  if (variable) return variable;
  const trimmed = text.trim();
  if ((type === 'INT' && INTEGER.test(trimmed)) || (type === 'DOUBLE' && DECIMAL.test(trimmed))) {
    const number = Number(trimmed);
    return Number.isFinite(number) && (type === 'DOUBLE' || Number.isSafeInteger(number))
      ? number
      : { $number: trimmed };
  }
  return text;
}

/** A problem with a snippet, at a line and column of the snippet. */
export interface SnippetError {
  message: string;
  line: number;
  column: number;
}

const EMPTY_PREFIX = 'env {}\n\nsource {}\n\nsink {}\n';

function renderOther(other: ConfigObject): string {
  const text = renderHocon({ env: {}, source: [], transform: [], sink: [], other });
  return text.startsWith(`${EMPTY_PREFIX}\n`) ? text.slice(EMPTY_PREFIX.length + 1).replace(/\n$/, '') : '';
}

/**
 * HOCON text for a value a single input cannot hold: an object as its entries (`fields { id = int }`),
 * anything else as the value (`[a, b]`). Rendered by `@job-config`, so it reads like the text view.
 */
export function snippetOf(value: ConfigValue): string {
  if (isConfigObject(value)) return renderOther(value);
  return renderOther({ v: value }).replace(/^v = /, '');
}

/** Parses what `snippetOf` wrote (or the user typed): an object's entries, or a single value. */
export function parseSnippet(text: string, object: boolean): { value: ConfigValue } | { error: SnippetError } {
  const source = object ? `env {\n${text}\n}\n` : `env {\nv = ${text}\n}\n`;
  let config: JobConfig;
  try {
    config = parseJobConfig(source, 'HOCON').config;
  } catch (err) {
    if (err instanceof ConfigSyntaxError) {
      return { error: { message: err.detail, line: Math.max(1, err.line - 1), column: err.column } };
    }
    throw err;
  }
  if (Object.keys(config.other).length > 0 || config.source.length > 0 || config.sink.length > 0) {
    return { error: { message: 'unbalanced braces', line: 1, column: 1 } };
  }
  if (object) return { value: config.env };
  const value = config.env.v;
  return value === undefined ? { error: { message: 'no value', line: 1, column: 1 } } : { value };
}

/** Structural equality of two option values (the model is plain data). */
export function sameValue(a: ConfigValue | undefined, b: ConfigValue | undefined): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}
