/**
 * What every bench's command line shares: flags parsed by node:util's parseArgs (unknown ones
 * refused with the usage), `--help`, whole-number values, and timestamped progress lines.
 */
import { parseArgs } from 'node:util';

export type FlagSpec = Record<string, { type: 'string' | 'boolean' }>;
export type Flags = Record<string, string | boolean | undefined>;

/** The flags given (strings for valued flags, true for switches); `--help`/`-h` prints `usage` and exits. */
export function benchFlags(argv: string[], flags: FlagSpec, usage: string): Flags {
  let values: Flags;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: { ...flags, help: { type: 'boolean', short: 'h' } },
      strict: true,
      allowPositionals: false,
    }) as { values: Flags });
  } catch (err) {
    throw new Error(`${(err as Error).message}\n${usage}`);
  }
  if (values.help) {
    process.stdout.write(usage);
    process.exit(0);
  }
  return values;
}

/** A whole number of 1 or more from `--flag value`, or `fallback` when the flag is absent. */
export function positiveInt(values: Flags, flag: string, fallback: number): number {
  const v = values[flag];
  if (v === undefined) return fallback;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new Error(`--${flag} expects a positive whole number, not "${String(v)}"`);
  return n;
}

/** A non-empty string from `--flag value`, or `fallback`. */
export function text(values: Flags, flag: string, fallback: string): string {
  const v = values[flag];
  if (v === undefined) return fallback;
  if (typeof v !== 'string' || v === '') throw new Error(`--${flag} needs a value`);
  return v;
}

/** A progress line with the time of day (UTC, ms). */
export function log(message: string): void {
  process.stdout.write(`${new Date().toISOString().slice(11, 23)}  ${message}\n`);
}
