import fc from 'fast-check';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  ConfigSyntaxError,
  configsEqual,
  parseJobConfig,
  renderHocon,
  renderJson,
  type ConfigFormat,
  type ConfigObject,
  type ConfigValue,
  type JobConfig,
  type PluginBlock,
  type Substitution,
} from './index.js';
import { numberFromText } from './numbers.js';

// ---- generated configs ----

const MARKER_KEYS = new Set(['$substitution', '$concat', '$number']);

const keyArb = fc
  .oneof(
    { weight: 4, arbitrary: fc.stringMatching(/^[a-z_][a-z0-9_-]{0,8}$/) },
    {
      weight: 2,
      arbitrary: fc.constantFrom(
        'job.mode',
        'a.b.c',
        'with space',
        'quo"te',
        'back\\slash',
        'include',
        'true',
        '123',
        '1.5',
        '',
        '__proto__',
        'constructor',
        'emoji 😀',
        'tab\tkey',
        'new\nline',
        '${x}',
        '#hash',
        '// c',
        'ünï',
        '-dash',
        '.',
        'x.',
      ),
    },
    { weight: 2, arbitrary: fc.string({ unit: 'grapheme', maxLength: 6 }) },
    { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 6 }) },
  )
  .filter((key) => !MARKER_KEYS.has(key));

const stringArb = fc.oneof(
  fc.stringMatching(/^[A-Za-z_][A-Za-z0-9_.-]{0,10}$/),
  fc.constantFrom(
    '',
    'true',
    'null',
    '42',
    '-1',
    '1e5',
    'a b',
    'quote " inside',
    'back\\slash',
    'line1\nline2',
    'ends with a quote"\n',
    '"""',
    'x"""y\nz',
    '\r\n',
    '\t',
    '${var}',
    '${var:default}',
    'jdbc:mysql://h:3306/db',
    'emoji 😀👍🏽',
    'a//b',
    '#x',
    'include',
    '\u2028',
    '\uFEFF',
    ' lead',
    'trail ',
  ),
  fc.string({ unit: 'grapheme', maxLength: 20 }),
  fc.string({ unit: 'binary', maxLength: 20 }),
);

const numberArb = fc.oneof(
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }).map((d) => (Object.is(d, -0) ? 0 : d)),
  fc.bigInt({ min: -(2n ** 80n), max: 2n ** 80n }).map((b) => numberFromText(b.toString())),
  fc
    .tuple(fc.integer({ min: -1000, max: 1000 }), fc.stringMatching(/^[0-9]{1,30}$/))
    .map(([whole, fraction]) => numberFromText(`${whole}.${fraction}`)),
  fc
    .constantFrom('9223372036854775807', '0.1000000000000000055511151231257827', '1e400', '-1e-400')
    .map(numberFromText),
);

const substitutionArb = fc
  .record({
    name: fc.stringMatching(/^[a-z][a-z0-9_]{0,5}(\.[a-z][a-z0-9_-]{0,3})?$/),
    optional: fc.boolean(),
    fallback: fc.option(
      fc.string({ unit: 'grapheme', maxLength: 10 }).filter((s) => !/[}\n]/.test(s)),
      { nil: undefined },
    ),
  })
  .map(({ name, optional, fallback }) => {
    const substitution: Substitution = { $substitution: name };
    if (optional) substitution.optional = true;
    if (fallback !== undefined) substitution.default = fallback;
    return substitution;
  });

/** Text and substitutions side by side, normalised as the parser normalises them. */
const concatArb = fc
  .array(fc.oneof(stringArb, substitutionArb), { minLength: 2, maxLength: 5 })
  .map((raw): ConfigValue => {
    const parts: (string | Substitution)[] = [];
    for (const part of raw) {
      const last = parts.at(-1);
      if (typeof part !== 'string') parts.push(part);
      else if (typeof last === 'string') parts[parts.length - 1] = last + part;
      else if (part !== '') parts.push(part);
    }
    if (parts.length === 0) return '';
    if (parts.length === 1) return parts[0]!;
    return parts.every((p) => typeof p === 'string') ? parts.join('') : { $concat: parts };
  });

const scalarArb: fc.Arbitrary<ConfigValue> = fc.oneof(
  { weight: 4, arbitrary: stringArb },
  { weight: 3, arbitrary: numberArb },
  { weight: 1, arbitrary: fc.boolean() },
  { weight: 1, arbitrary: fc.constant(null) },
  { weight: 2, arbitrary: substitutionArb },
  { weight: 2, arbitrary: concatArb },
);

function toObject(entries: [string, ConfigValue][], exclude: readonly string[] = []): ConfigObject {
  const object: ConfigObject = {};
  for (const [key, value] of entries) {
    if (!exclude.includes(key))
      Object.defineProperty(object, key, { value, enumerable: true, writable: true, configurable: true });
  }
  return object;
}

const { object: objectArb } = fc.letrec<{ value: ConfigValue; object: ConfigObject; list: ConfigValue[] }>((tie) => ({
  value: fc.oneof({ maxDepth: 3, depthIdentifier: 'config' }, scalarArb, tie('list'), tie('object')),
  list: fc.array(tie('value'), { maxLength: 4, depthIdentifier: 'config' }),
  object: fc.array(fc.tuple(keyArb, tie('value')), { maxLength: 5, depthIdentifier: 'config' }).map((e) => toObject(e)),
}));

const pluginArb: fc.Arbitrary<PluginBlock> = fc.record({
  plugin: keyArb.filter((name) => name !== ''),
  options: objectArb.map((o) => toObject(Object.entries(o), ['plugin_name', 'result_table_name', 'source_table_name'])),
});

const jobArb: fc.Arbitrary<JobConfig> = fc.record({
  env: objectArb,
  source: fc.array(pluginArb, { maxLength: 3 }),
  transform: fc.array(pluginArb, { maxLength: 2 }),
  sink: fc.array(pluginArb, { maxLength: 3 }),
  other: objectArb.map((o) => toObject(Object.entries(o), ['env', 'source', 'transform', 'sink'])),
});

/** The model without positions, for strict structural comparison. */
const withoutPositions = (config: JobConfig) => ({
  ...config,
  source: config.source.map(({ plugin, options }) => ({ plugin, options })),
  transform: config.transform.map(({ plugin, options }) => ({ plugin, options })),
  sink: config.sink.map(({ plugin, options }) => ({ plugin, options })),
});

describe('round trips of generated configs', () => {
  it('parse(renderHocon(c)) equals c, exactly, and rendering again gives the same text', () => {
    fc.assert(
      fc.property(jobArb, (config) => {
        const text = renderHocon(config);
        const parsed = parseJobConfig(text, 'HOCON').config;
        expect(configsEqual(parsed, config)).toBe(true);
        expect(withoutPositions(parsed)).toEqual(withoutPositions(config));
        expect(renderHocon(parsed)).toBe(text);
      }),
      { numRuns: 400 },
    );
  });

  it('parse(renderJson(c)) equals c, and the output is valid JSON', () => {
    fc.assert(
      fc.property(jobArb, (config) => {
        const text = renderJson(config);
        expect(() => JSON.parse(text) as unknown).not.toThrow();
        expect(configsEqual(parseJobConfig(text, 'JSON').config, config)).toBe(true);
      }),
      { numRuns: 400 },
    );
  });
});

// ---- fuzzing with the corpus ----

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../..');
const corpusDir = path.resolve(repoRoot, '../shared/conformance/seatunnel-configs');

function corpus(): string[] {
  if (!existsSync(corpusDir)) throw new Error(`the SeaTunnel conformance configs are missing: looked in ${corpusDir}`);
  return readdirSync(corpusDir)
    .sort()
    .map((file) => readFileSync(path.join(corpusDir, file), 'utf8'));
}

const INSERTS = [...'{}[]"=:,.$#/\\\n ?+', '"""', '${', '${?', 'x', '\r', '\uFEFF', 'include "a"', '//', '0.', '1e'];
const mutationArb = fc.tuple(
  fc.constantFrom('delete', 'insert', 'duplicate'),
  fc.nat(),
  fc.nat({ max: 40 }),
  fc.constantFrom(...INSERTS),
);

function mutate(text: string, mutations: [string, number, number, string][]): string {
  let result = text;
  for (const [kind, at, length, insert] of mutations) {
    const i = at % (result.length + 1);
    if (kind === 'delete') result = result.slice(0, i) + result.slice(i + (length % 6) + 1);
    else if (kind === 'insert') result = result.slice(0, i) + insert + result.slice(i);
    else result = result.slice(0, i) + result.slice(i, i + length) + result.slice(i);
  }
  return result;
}

/** Parses or throws a ConfigSyntaxError pointing into the text; whatever parses also round-trips. */
function parsesOrPointsInside(text: string, format: ConfigFormat): void {
  let config: JobConfig;
  try {
    config = parseJobConfig(text, format).config;
  } catch (error) {
    if (!(error instanceof ConfigSyntaxError)) throw error;
    const lines = text.split('\n');
    expect(error.line).toBeGreaterThanOrEqual(1);
    expect(error.line).toBeLessThanOrEqual(lines.length);
    expect(error.column).toBeGreaterThanOrEqual(1);
    expect(error.column).toBeLessThanOrEqual(lines[error.line - 1]!.length + 1);
    return;
  }
  expect(configsEqual(parseJobConfig(renderHocon(config), 'HOCON').config, config)).toBe(true);
  expect(configsEqual(parseJobConfig(renderJson(config), 'JSON').config, config)).toBe(true);
}

describe('fuzzing with mutated corpus files', () => {
  it('a mutated HOCON file parses, or throws a ConfigSyntaxError whose line and column lie inside the text', () => {
    const files = corpus();
    fc.assert(
      fc.property(
        fc.nat({ max: files.length - 1 }),
        fc.array(mutationArb, { minLength: 1, maxLength: 6 }),
        (index, mutations) => {
          parsesOrPointsInside(mutate(files[index]!, mutations), 'HOCON');
        },
      ),
      { numRuns: 3000 },
    );
  });

  it('a mutated JSON rendering parses as JSON, or throws a ConfigSyntaxError inside the text', () => {
    const files = corpus().map((text) => renderJson(parseJobConfig(text, 'HOCON').config));
    fc.assert(
      fc.property(
        fc.nat({ max: files.length - 1 }),
        fc.array(mutationArb, { minLength: 1, maxLength: 4 }),
        (index, mutations) => {
          parsesOrPointsInside(mutate(files[index]!, mutations), 'JSON');
        },
      ),
      { numRuns: 1500 },
    );
  });
});
