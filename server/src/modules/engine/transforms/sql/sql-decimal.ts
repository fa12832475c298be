/**
 * Exact decimal arithmetic on the row model's decimal text ("-12.50"): a value is an unscaled
 * BigInt and a scale (-12.50 = -1250 scale 2). Results are rounded half up (away from zero on a
 * tie), as Java's BigDecimal HALF_UP, which SeaTunnel uses.
 */

export interface Decimal {
  unscaled: bigint;
  scale: number;
}

export const MAX_PRECISION = 38;

const POW10: bigint[] = [1n];
export function pow10(n: number): bigint {
  while (POW10.length <= n) POW10.push(POW10[POW10.length - 1]! * 10n);
  return POW10[n]!;
}

const DECIMAL_TEXT = /^\s*([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?\s*$/;

/** Parses decimal text ("12.5", "-0.001", "1e3", "+7."); undefined when it is not a number. */
export function parseDecimal(text: string): Decimal | undefined {
  const m = DECIMAL_TEXT.exec(text);
  if (!m) return undefined;
  const intPart = m[2] ?? '';
  const fracPart = m[3] ?? '';
  if (intPart === '' && fracPart === '') return undefined;
  let unscaled = BigInt((intPart || '0') + fracPart);
  let scale = fracPart.length;
  if (m[4]) {
    const exp = Number(m[4]);
    if (exp >= scale) {
      unscaled *= pow10(exp - scale);
      scale = 0;
    } else scale -= exp;
  }
  if (m[1] === '-') unscaled = -unscaled;
  return { unscaled, scale };
}

/** Fast path for the row model's own text (always plain "-123.45"). */
export function decimalOf(text: string): Decimal {
  const dot = text.indexOf('.');
  if (dot < 0 && text.indexOf('e') < 0 && text.indexOf('E') < 0) return { unscaled: BigInt(text), scale: 0 };
  if (/^-?\d+\.\d+$/.test(text)) {
    return { unscaled: BigInt(text.slice(0, dot) + text.slice(dot + 1)), scale: text.length - dot - 1 };
  }
  const parsed = parseDecimal(text);
  if (!parsed) throw new Error(`"${text}" is not a decimal number`);
  return parsed;
}

export function formatDecimal(d: Decimal): string {
  const negative = d.unscaled < 0n;
  let digits = (negative ? -d.unscaled : d.unscaled).toString();
  if (d.scale > 0) {
    if (digits.length <= d.scale) digits = '0'.repeat(d.scale - digits.length + 1) + digits;
    digits = `${digits.slice(0, digits.length - d.scale)}.${digits.slice(digits.length - d.scale)}`;
  }
  return negative ? `-${digits}` : digits;
}

/** Divides rounding half up (away from zero on a tie). */
export function divideHalfUp(a: bigint, b: bigint): bigint {
  const q = a / b;
  const r = a % b;
  if (r === 0n) return q;
  const twice = (r < 0n ? -r : r) * 2n;
  const absB = b < 0n ? -b : b;
  if (twice >= absB) return a < 0n !== b < 0n ? q - 1n : q + 1n;
  return q;
}

/** The value at another scale, rounded half up when digits are dropped. */
export function rescale(d: Decimal, scale: number): Decimal {
  if (d.scale === scale) return d;
  if (d.scale < scale) return { unscaled: d.unscaled * pow10(scale - d.scale), scale };
  return { unscaled: divideHalfUp(d.unscaled, pow10(d.scale - scale)), scale };
}

/** Truncates toward zero to a scale. */
export function truncateTo(d: Decimal, scale: number): Decimal {
  if (d.scale <= scale) return rescale(d, scale);
  return { unscaled: d.unscaled / pow10(d.scale - scale), scale };
}

export function compareDecimals(a: Decimal, b: Decimal): number {
  const scale = Math.max(a.scale, b.scale);
  const x = rescale(a, scale).unscaled;
  const y = rescale(b, scale).unscaled;
  return x < y ? -1 : x > y ? 1 : 0;
}

/** Number of digits of the unscaled value (its precision). */
export function digitCount(u: bigint): number {
  return (u < 0n ? -u : u).toString().length;
}

/** True when the value fits decimal(precision, scale) once at that scale. */
export function fits(d: Decimal, precision: number): boolean {
  const abs = d.unscaled < 0n ? -d.unscaled : d.unscaled;
  return abs < pow10(precision);
}

export function add(a: Decimal, b: Decimal): Decimal {
  const scale = Math.max(a.scale, b.scale);
  return { unscaled: rescale(a, scale).unscaled + rescale(b, scale).unscaled, scale };
}

export function subtract(a: Decimal, b: Decimal): Decimal {
  const scale = Math.max(a.scale, b.scale);
  return { unscaled: rescale(a, scale).unscaled - rescale(b, scale).unscaled, scale };
}

export function multiply(a: Decimal, b: Decimal): Decimal {
  return { unscaled: a.unscaled * b.unscaled, scale: a.scale + b.scale };
}

/** a / b at `scale` digits, rounded half up. Throws on division by zero. */
export function divide(a: Decimal, b: Decimal, scale: number): Decimal {
  if (b.unscaled === 0n) throw new RangeError('division by zero');
  // a/b = (ua / 10^sa) / (ub / 10^sb); scaled by 10^scale: ua * 10^(scale + sb - sa) / ub
  const shift = scale + b.scale - a.scale;
  const numerator = shift >= 0 ? a.unscaled * pow10(shift) : a.unscaled;
  const denominator = shift >= 0 ? b.unscaled : b.unscaled * pow10(-shift);
  return { unscaled: divideHalfUp(numerator, denominator), scale };
}

/** Remainder with the sign of the dividend (SQL MOD and Java BigDecimal.remainder). */
export function remainder(a: Decimal, b: Decimal): Decimal {
  if (b.unscaled === 0n) throw new RangeError('division by zero');
  const scale = Math.max(a.scale, b.scale);
  return { unscaled: rescale(a, scale).unscaled % rescale(b, scale).unscaled, scale };
}

/** Precision and scale limited to 38 digits, keeping integer digits first and at least 6 fraction digits. */
export function boundedType(precision: number, scale: number): { precision: number; scale: number } {
  if (precision <= MAX_PRECISION) return { precision: Math.max(precision, 1), scale };
  const intDigits = precision - scale;
  const minScale = Math.min(scale, 6);
  const adjusted = Math.max(MAX_PRECISION - intDigits, minScale);
  return { precision: MAX_PRECISION, scale: adjusted };
}

/** Exact decimal of a JavaScript number, through its shortest round-trip text (as Java's BigDecimal.valueOf). */
export function decimalOfNumber(n: number): Decimal {
  if (!Number.isFinite(n)) throw new RangeError(`${n} is not a finite number`);
  return parseDecimal(String(n))!;
}

/** Precision and scale of a literal's text ("12.50" → 4, 2). */
export function literalType(d: Decimal): { precision: number; scale: number } {
  return { precision: Math.max(digitCount(d.unscaled), d.scale, 1), scale: d.scale };
}

// ------------------------------------------------------------------ small decimals (fast path)

/**
 * A decimal of at most 15 digits as a safe-integer unscaled number: most prices and amounts. Its
 * arithmetic is exact while every intermediate stays a safe integer, and far cheaper than BigInt;
 * callers fall back to the BigInt path whenever a helper here returns undefined.
 */
export interface SmallDecimal {
  u: number;
  s: number;
}

const SMALL_POW10 = Array.from({ length: 16 }, (_, i) => 10 ** i);

/** Parses plain decimal text ("-12.50") of at most 15 digits; undefined otherwise. */
export function smallOf(text: string): SmallDecimal | undefined {
  const n = text.length;
  if (n === 0 || n > 17) return undefined;
  let u = 0;
  let s = -1;
  let digits = 0;
  let negative = false;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c >= 48 && c <= 57) {
      u = u * 10 + (c - 48);
      if (u !== 0 || s >= 0) digits++;
      if (s >= 0) s++;
    } else if (c === 46 && s < 0) s = 0;
    else if (i === 0 && (c === 45 || c === 43)) negative = c === 45;
    else return undefined;
  }
  if (digits > 15 || (s < 0 && n === (negative ? 1 : 0))) return undefined;
  return { u: negative ? -u : u, s: s < 0 ? 0 : s };
}

/** The unscaled value at a larger scale; undefined when it would leave the safe range. */
export function smallAlign(d: SmallDecimal, scale: number): number | undefined {
  if (d.s === scale) return d.u;
  const k = scale - d.s;
  if (k < 0 || k > 15) return undefined;
  const v = d.u * SMALL_POW10[k]!;
  return Number.isSafeInteger(v) ? v : undefined;
}

/** Rescales an unscaled safe integer, rounding half up when digits are dropped. */
export function smallRescale(u: number, from: number, to: number): number | undefined {
  if (from === to) return u;
  if (to > from) return smallAlign({ u, s: from }, to);
  const k = from - to;
  if (k > 15) return undefined;
  const p = SMALL_POW10[k]!;
  let q = Math.trunc(u / p);
  let r = u - q * p;
  // u / p is rounded as a double; the exact remainder corrects a quotient one off.
  if (u >= 0) {
    if (r < 0) {
      q -= 1;
      r += p;
    } else if (r >= p) {
      q += 1;
      r -= p;
    }
  } else if (r > 0) {
    q += 1;
    r -= p;
  } else if (r <= -p) {
    q -= 1;
    r += p;
  }
  if (2 * Math.abs(r) >= p) q += u < 0 ? -1 : 1;
  return q;
}

/** True when |u| < 10^precision. */
export function smallFits(u: number, precision: number): boolean {
  return precision > 15 || Math.abs(u) < SMALL_POW10[precision]!;
}

export function formatSmall(u: number, scale: number): string {
  if (scale === 0) return String(u);
  const negative = u < 0;
  let digits = String(negative ? -u : u);
  if (digits.length <= scale) digits = '0'.repeat(scale - digits.length + 1) + digits;
  const text = `${digits.slice(0, digits.length - scale)}.${digits.slice(digits.length - scale)}`;
  return negative ? `-${text}` : text;
}
