/**
 * Random values for FakeSource, by column type, with SeaTunnel's options: value ranges
 * (`int.min` / `int.max`, lower bound included and upper bound excluded, as SeaTunnel's
 * RandomUtils), templates (a list to pick from; a non-empty template wins over the range, as in
 * SeaTunnel), `string.length`, `bytes.length`, `array.size`, `map.size`, and date/time part
 * templates (`date.year.template`, ..., `time.second.template`).
 *
 * The generator is a seeded PRNG (sfc32), so a job produces the same rows on every run unless
 * `seed` changes; without a year template dates fall in the current year (as in SeaTunnel).
 */
import type { DataType, Value } from '../row.js';

/** sfc32, seeded through splitmix32: fast, small state, good enough for test data. */
export class Prng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  constructor(seed: number) {
    let s = seed >>> 0;
    const next = () => {
      s = (s + 0x9e3779b9) >>> 0;
      let z = s;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
      return (z ^ (z >>> 16)) >>> 0;
    };
    this.a = next();
    this.b = next();
    this.c = next();
    this.d = next();
    for (let i = 0; i < 12; i++) this.u32();
  }

  /** A uniformly random unsigned 32-bit integer. */
  u32(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return t >>> 0;
  }

  /** [0, 1) with 53 random bits. */
  float(): number {
    return ((this.u32() >>> 5) * 67108864 + (this.u32() >>> 6)) / 9007199254740992;
  }

  /** An integer in [min, maxExclusive); min when the range is empty (RandomUtils' behaviour). */
  int(min: number, maxExclusive: number): number {
    if (maxExclusive <= min) return min;
    return min + Math.floor(this.float() * (maxExclusive - min));
  }

  /** A bigint in [min, maxExclusive); min when the range is empty. */
  bigint(min: bigint, maxExclusive: bigint): bigint {
    const span = maxExclusive - min;
    if (span <= 0n) return min;
    if (span <= 9007199254740992n) return min + BigInt(Math.floor(this.float() * Number(span)));
    const r = (BigInt(this.u32()) << 32n) | BigInt(this.u32());
    return min + (r % span);
  }

  pick<T>(list: readonly T[]): T {
    return list[Math.floor(this.float() * list.length)]!;
  }
}

export interface NumberRange {
  min: number;
  max: number;
  template?: number[];
}

export interface FakeGenOptions {
  stringLength: number;
  bytesLength: number;
  arraySize: number;
  mapSize: number;
  stringTemplate?: string[];
  tinyint: NumberRange;
  smallint: NumberRange;
  int: NumberRange;
  bigint: { min: bigint; max: bigint; template?: bigint[] };
  float: NumberRange;
  double: NumberRange;
  dateYearTemplate?: number[];
  dateMonthTemplate?: number[];
  dateDayTemplate?: number[];
  timeHourTemplate?: number[];
  timeMinuteTemplate?: number[];
  timeSecondTemplate?: number[];
}

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const pad2 = (n: number) => (n < 10 ? `0${n}` : String(n));

const nonEmpty = <T>(list: T[] | undefined): list is T[] => list !== undefined && list.length > 0;

/** A function producing one random value of `type` per call. */
export function valueGenerator(type: DataType, options: FakeGenOptions, rng: Prng): () => Value {
  switch (type.kind) {
    case 'null':
      return () => null;
    case 'boolean':
      return () => rng.u32() >= 0x80000000;
    case 'string': {
      const template = options.stringTemplate;
      if (nonEmpty(template)) return () => rng.pick(template);
      const length = options.stringLength;
      return () => randomAlpha(rng, length);
    }
    case 'bytes': {
      const length = options.bytesLength;
      return () => Buffer.from(randomAlpha(rng, length), 'latin1');
    }
    case 'tinyint':
    case 'smallint':
    case 'int': {
      const { min, max, template } = options[type.kind];
      if (nonEmpty(template)) return () => rng.pick(template);
      return () => rng.int(min, max);
    }
    case 'bigint': {
      const { min, max, template } = options.bigint;
      if (nonEmpty(template)) return () => rng.pick(template);
      return () => rng.bigint(min, max);
    }
    case 'float': {
      const { min, max, template } = options.float;
      if (nonEmpty(template)) return () => rng.pick(template);
      return () => {
        const r = rng.float();
        return Math.fround(min + r * max - r * min);
      };
    }
    case 'double': {
      const { min, max, template } = options.double;
      if (nonEmpty(template)) return () => rng.pick(template);
      return () => {
        const r = rng.float();
        return min + r * max - r * min;
      };
    }
    case 'decimal': {
      const intDigits = type.precision - type.scale;
      const scale = type.scale;
      return () => {
        const whole = randomDigits(rng, intDigits).replace(/^0+(?=\d)/, '') || '0';
        return scale > 0 ? `${whole}.${randomDigits(rng, scale)}` : whole;
      };
    }
    case 'date':
    case 'time':
    case 'timestamp':
    case 'timestamp_tz': {
      const dateTime = dateTimeGenerator(options, rng);
      if (type.kind === 'date') return () => dateTime().slice(0, 10);
      if (type.kind === 'time') return () => dateTime().slice(11);
      if (type.kind === 'timestamp') return dateTime;
      return () => `${dateTime()}+00`;
    }
    case 'array': {
      const element = valueGenerator(type.element, options, rng);
      const size = options.arraySize;
      return () => {
        const out: Value[] = new Array<Value>(size);
        for (let i = 0; i < size; i++) out[i] = element();
        return out;
      };
    }
    case 'map': {
      const key = valueGenerator(type.key, options, rng);
      const value = valueGenerator(type.value, options, rng);
      const size = options.mapSize;
      return () => {
        const out = new Map<Value, Value>();
        // Keys drawn twice collapse into one entry, as in SeaTunnel's HashMap.
        for (let i = 0; i < size; i++) out.set(key(), value());
        return out;
      };
    }
    case 'row':
      return rowGenerator(
        type.fields.map((f) => f.type),
        options,
        rng,
      );
  }
}

/** A function producing one row (a new array) of random values of `types`. */
export function rowGenerator(
  types: DataType[],
  options: FakeGenOptions,
  rng: Prng,
  constants?: (Value | undefined)[],
): () => Value[] {
  const generators = types.map((t, i) => {
    const constant = constants?.[i];
    return constant !== undefined ? () => constant : valueGenerator(t, options, rng);
  });
  const n = generators.length;
  return () => {
    const row: Value[] = new Array<Value>(n);
    for (let i = 0; i < n; i++) row[i] = generators[i]!();
    return row;
  };
}

function randomAlpha(rng: Prng, length: number): string {
  let s = '';
  for (let i = 0; i < length; i++) s += ALPHABET[((rng.u32() * 52) / 4294967296) | 0];
  return s;
}

function randomDigits(rng: Prng, count: number): string {
  let s = '';
  for (let i = 0; i < count; i++) s += String(((rng.u32() * 10) / 4294967296) | 0);
  return s;
}

/** "YYYY-MM-DD HH:MM:SS" with SeaTunnel's parts: day 1..28, any hour, minute and second. */
function dateTimeGenerator(options: FakeGenOptions, rng: Prng): () => string {
  const currentYear = new Date().getFullYear();
  const part = (template: number[] | undefined, min: number, maxExclusive: number) =>
    nonEmpty(template) ? () => rng.pick(template) : () => rng.int(min, maxExclusive);
  const year = nonEmpty(options.dateYearTemplate) ? () => rng.pick(options.dateYearTemplate!) : () => currentYear;
  const month = part(options.dateMonthTemplate, 1, 13);
  const day = part(options.dateDayTemplate, 1, 29);
  const hour = part(options.timeHourTemplate, 0, 24);
  const minute = part(options.timeMinuteTemplate, 0, 60);
  const second = part(options.timeSecondTemplate, 0, 60);
  return () =>
    `${String(year()).padStart(4, '0')}-${pad2(month())}-${pad2(day())} ${pad2(hour())}:${pad2(minute())}:${pad2(second())}`;
}
