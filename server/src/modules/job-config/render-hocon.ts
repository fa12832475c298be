import {
  isConcatenation,
  isConfigObject,
  isExactNumber,
  isSubstitution,
  type ConfigObject,
  type ConfigValue,
  type Concatenation,
  type JobConfig,
  type Substitution,
} from './model.js';
import { numberLiteral } from './numbers.js';

const INDENT = '  ';
/** Arrays and small objects inside arrays go on one line when they fit in this many columns. */
const INLINE_WIDTH = 90;
/** An object value is written as dotted keys (`job.mode = BATCH`) when it has at most this many leaves. */
const MAX_DOTTED_LEAVES = 2;

const UNQUOTED_STRING = /^[A-Za-z_][A-Za-z0-9_-]*(?:\.[A-Za-z0-9_-]+)*$/;
const UNQUOTED_KEY = /^[A-Za-z0-9_][A-Za-z0-9_-]*$/;
const KEYWORDS = new Set(['true', 'false', 'null', 'include']);
// What the parser reads as a substitution name: unquoted text, non-empty parts around dots.
const NAME_PART = String.raw`(?:[^\s$"{}[\]:=,+#\x60^?!@*&\\/.]|/(?!/))+`;
const SUBSTITUTION_NAME = new RegExp(String.raw`^${NAME_PART}(?:\.${NAME_PART})*$`);

/** Control characters other than tab and newline, which triple quotes would carry invisibly. */
function hasControlCharacter(value: string): boolean {
  for (let i = 0; i < value.length; i++) {
    const code = value.charCodeAt(i);
    if ((code < 0x20 && code !== 0x09 && code !== 0x0a) || code === 0x7f) return true;
  }
  return false;
}

/**
 * Renders a job config as HOCON: 2-space indent, sections in the order env, source, transform
 * (when present), sink, then unknown top-level keys. Strings are quoted only when needed,
 * multi-line strings use triple quotes, small objects of scalars become dotted keys
 * (`job.mode = BATCH`). The same model always gives the same text.
 */
export function renderHocon(config: JobConfig): string {
  const sections = [`env ${block(config.env, 0)}`];
  for (const name of ['source', 'transform', 'sink'] as const) {
    const blocks = config[name];
    if (blocks.length === 0) {
      if (name !== 'transform') sections.push(`${name} {}`);
      continue;
    }
    const plugins = blocks.map((b) => `${INDENT}${keyText(b.plugin)} ${block(b.options, 1)}`);
    sections.push(`${name} {\n${plugins.join('\n')}\n}`);
  }
  const other = entries(config.other, 0);
  if (other.length > 0) sections.push(other.join('\n'));
  return `${sections.join('\n\n')}\n`;
}

export function keyText(key: string): string {
  return UNQUOTED_KEY.test(key) && key !== 'include' ? key : JSON.stringify(key);
}

function indent(level: number): string {
  return INDENT.repeat(level);
}

function block(object: ConfigObject, level: number): string {
  const lines = entries(object, level + 1);
  return lines.length === 0 ? '{}' : `{\n${lines.join('\n')}\n${indent(level)}}`;
}

function entries(object: ConfigObject, level: number): string[] {
  const lines: string[] = [];
  for (const [key, value] of Object.entries(object)) {
    for (const [path, leaf] of flatten(keyText(key), value))
      lines.push(`${indent(level)}${assignment(path, leaf, level)}`);
  }
  return lines;
}

function assignment(path: string, value: ConfigValue, level: number): string {
  return isConfigObject(value) ? `${path} ${block(value, level)}` : `${path} = ${render(value, level)}`;
}

/** Dotted keys for small objects of scalars: [['job.mode', 'BATCH'], ['job.name', 'x']]. */
function flatten(path: string, value: ConfigValue): [string, ConfigValue][] {
  if (!isConfigObject(value) || leaves(value) > MAX_DOTTED_LEAVES) return [[path, value]];
  return Object.entries(value).flatMap(([key, inner]) => flatten(`${path}.${keyText(key)}`, inner));
}

/** Leaf count for dotted keys; Infinity when the object must stay a block. */
function leaves(value: ConfigValue): number {
  if (Array.isArray(value)) return value.every((item) => !Array.isArray(item) && !isConfigObject(item)) ? 1 : Infinity;
  if (!isConfigObject(value)) return 1;
  const values = Object.values(value);
  if (values.length === 0) return Infinity;
  let total = 0;
  for (const inner of values) {
    total += leaves(inner);
    if (total > MAX_DOTTED_LEAVES) return Infinity;
  }
  return total;
}

function render(value: ConfigValue, level: number): string {
  if (Array.isArray(value)) return array(value, level);
  if (isConfigObject(value)) {
    const inline = inlineText(value);
    return inline !== null && inline.length + level * INDENT.length <= INLINE_WIDTH ? inline : block(value, level);
  }
  return scalarText(value, true);
}

function array(list: ConfigValue[], level: number): string {
  if (list.length === 0) return '[]';
  const inline = inlineText(list);
  if (inline !== null && inline.length + level * INDENT.length <= INLINE_WIDTH) return inline;
  const items = list.map((item) => `${indent(level + 1)}${render(item, level + 1)}`);
  return `[\n${items.join(',\n')}\n${indent(level)}]`;
}

/** One-line text, or null when the value needs several lines. */
function inlineText(value: ConfigValue): string | null {
  if (Array.isArray(value)) {
    const items = value.map(inlineText);
    return items.every((item) => item !== null) ? `[${items.join(', ')}]` : null;
  }
  if (isConfigObject(value)) {
    const parts: string[] = [];
    for (const [key, inner] of Object.entries(value)) {
      for (const [path, leaf] of flatten(keyText(key), inner)) {
        if (isConfigObject(leaf)) {
          if (Object.keys(leaf).length > 0) return null;
          parts.push(`${path} {}`);
          continue;
        }
        const text = inlineText(leaf);
        if (text === null) return null;
        parts.push(`${path} = ${text}`);
      }
    }
    return parts.length === 0 ? '{}' : `{ ${parts.join(', ')} }`;
  }
  if (typeof value === 'string' && value.includes('\n')) return null;
  return scalarText(value, false);
}

function scalarText(value: ConfigValue, allowTripleQuotes: boolean): string {
  if (value === null) return 'null';
  if (typeof value === 'boolean') return String(value);
  if (typeof value === 'number') return numberLiteral(value);
  if (typeof value === 'string') return stringText(value, allowTripleQuotes);
  if (isExactNumber(value)) return numberLiteral(value);
  if (isSubstitution(value)) return substitutionSyntax(value);
  if (isConcatenation(value)) return concatenationSyntax(value);
  throw new TypeError('unexpected value in a job config');
}

export function stringText(value: string, allowTripleQuotes: boolean): string {
  if (UNQUOTED_STRING.test(value) && !KEYWORDS.has(value)) return value;
  if (allowTripleQuotes && value.includes('\n') && !value.includes('"""') && !hasControlCharacter(value)) {
    return `"""${value}"""`;
  }
  return JSON.stringify(value);
}

export function substitutionSyntax(substitution: Substitution): string {
  const name = substitution.$substitution;
  if (!SUBSTITUTION_NAME.test(name)) throw new RangeError(`cannot write the substitution name ${JSON.stringify(name)}`);
  const fallback = substitution.default;
  if (fallback !== undefined && /[}\n]/.test(fallback)) {
    throw new RangeError(`the default of \${${name}} cannot contain '}' or a line break`);
  }
  return `\${${substitution.optional ? '?' : ''}${name}${fallback === undefined ? '' : `:${fallback}`}}`;
}

/** Parts side by side with no space between them: quoted text and substitutions. */
function concatenationSyntax(concatenation: Concatenation): string {
  const parts: (string | Substitution)[] = [];
  const add = (part: ConfigValue): void => {
    if (isSubstitution(part)) parts.push(part);
    else if (isConcatenation(part)) part.$concat.forEach(add);
    else if (Array.isArray(part) || isConfigObject(part)) {
      throw new TypeError('cannot write a concatenation that contains an object or a list');
    } else {
      const text = typeof part === 'string' ? part : isExactNumber(part) ? part.$number : String(part);
      const last = parts.at(-1);
      if (typeof last === 'string') parts[parts.length - 1] = last + text;
      else if (text !== '') parts.push(text);
    }
  };
  concatenation.$concat.forEach(add);
  if (parts.length === 0) return '""';
  return parts.map((part) => (typeof part === 'string' ? JSON.stringify(part) : substitutionSyntax(part))).join('');
}
