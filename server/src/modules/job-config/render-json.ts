import {
  concatenationText,
  isConcatenation,
  isConfigObject,
  isExactNumber,
  isSubstitution,
  setOwn,
  substitutionText,
  type ConfigObject,
  type ConfigValue,
  type JobConfig,
  type PluginBlock,
} from './model.js';
import { numberLiteral } from './numbers.js';

const INDENT = '  ';
const INLINE_WIDTH = 90;

/**
 * Renders the job in SeaTunnel's REST submit-job form:
 * `{"env":{...},"source":[{"plugin_name":"FakeSource",...}],"transform":[...],"sink":[...]}`,
 * then unknown top-level keys. Substitutions become their `${var}` text, which SeaTunnel replaces
 * from job parameters; numbers kept as exact text are written as they were.
 */
export function renderJson(config: JobConfig): string {
  const entries: [string, ConfigValue][] = [
    ['env', config.env],
    ['source', config.source.map(restForm)],
    ['transform', config.transform.map(restForm)],
    ['sink', config.sink.map(restForm)],
  ];
  for (const [key, value] of Object.entries(config.other)) {
    if (!['env', 'source', 'transform', 'sink'].includes(key)) entries.push([key, value]);
  }
  return `${object(entries, 0)}\n`;
}

function restForm(block: PluginBlock): ConfigObject {
  const result: ConfigObject = {};
  setOwn(result, 'plugin_name', block.plugin);
  for (const [key, value] of Object.entries(block.options)) {
    if (key !== 'plugin_name') setOwn(result, key, value);
  }
  return result;
}

function object(entries: [string, ConfigValue][], level: number): string {
  if (entries.length === 0) return '{}';
  const inner = INDENT.repeat(level + 1);
  const lines = entries.map(([key, value]) => `${inner}${JSON.stringify(key)}: ${write(value, level + 1)}`);
  return `{\n${lines.join(',\n')}\n${INDENT.repeat(level)}}`;
}

function write(value: ConfigValue, level: number): string {
  if (Array.isArray(value)) {
    if (value.length === 0) return '[]';
    const scalars = value.every((item) => !Array.isArray(item) && !isConfigObject(item));
    const items = value.map((item) => write(item, level + 1));
    const inline = `[${items.join(', ')}]`;
    if (scalars && inline.length + level * INDENT.length <= INLINE_WIDTH && !inline.includes('\n')) return inline;
    return `[\n${items.map((item) => `${INDENT.repeat(level + 1)}${item}`).join(',\n')}\n${INDENT.repeat(level)}]`;
  }
  if (isConfigObject(value)) return object(Object.entries(value), level);
  if (value === null || typeof value === 'boolean') return String(value);
  if (typeof value === 'number' || isExactNumber(value)) return numberLiteral(value);
  if (typeof value === 'string') return JSON.stringify(value);
  if (isSubstitution(value)) return JSON.stringify(substitutionText(value));
  if (isConcatenation(value)) {
    const text = concatenationText(value);
    if (text === undefined) throw new TypeError('cannot write a concatenation that contains an object or a list');
    return JSON.stringify(text);
  }
  throw new TypeError('unexpected value in a job config');
}
