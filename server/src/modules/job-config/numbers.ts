import type { ExactNumber } from './model.js';

/** JSON's number grammar, which HOCON shares. */
export const NUMBER_TEXT = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?$/;
const SMALL_INTEGER = /^-?(?:0|[1-9]\d{0,14})$/;

/**
 * The decimal value of a number literal in one canonical spelling (`-123e-2`), so that `1.50`,
 * `1.5` and `15e-1` compare equal and `0.1000000000000000055511151231257827` does not equal `0.1`.
 */
export function canonicalDecimal(text: string): string {
  const negative = text.startsWith('-');
  const unsigned = negative ? text.slice(1) : text;
  const [mantissa = '', exponentText] = unsigned.split(/[eE]/);
  const [integerPart = '', fractionPart = ''] = mantissa.split('.');
  let digits = (integerPart + fractionPart).replace(/^0+/, '');
  if (digits === '') return '0';
  let exponent = Number(exponentText ?? '0') - fractionPart.length;
  const trimmed = digits.replace(/0+$/, '');
  exponent += digits.length - trimmed.length;
  digits = trimmed;
  return `${negative ? '-' : ''}${digits}e${exponent}`;
}

/**
 * A number literal as a model value: a JS number when it holds the literal's decimal value
 * exactly, else the exact text as an ExactNumber. Trailing zeros and exponent spelling are not
 * values: `40.0` becomes 40 and `1e3` becomes 1000.
 */
export function numberFromText(text: string): number | ExactNumber {
  const value = Number(text);
  if (SMALL_INTEGER.test(text)) return value;
  if (Number.isFinite(value) && canonicalDecimal(text) === canonicalDecimal(String(value))) return value;
  return { $number: text };
}

/** The literal to write for a model number. Throws on NaN, infinities and malformed exact text. */
export function numberLiteral(value: number | ExactNumber): string {
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new RangeError(`cannot write ${value} in a job config`);
    return String(value);
  }
  if (!NUMBER_TEXT.test(value.$number)) throw new RangeError(`"${value.$number}" is not a number literal`);
  return value.$number;
}
