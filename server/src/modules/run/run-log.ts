/**
 * The run log store: the `run_log` table (one row a line, ordered by (run_id, seq)).
 *
 * The instance executing a run owns its log and writes it through one {@link RunLogWriter}: lines
 * get their seq synchronously, are buffered and written in batches (one INSERT ... SELECT FROM
 * unnest(...) a batch, one batch at a time, in seq order). Another instance writes a line into a
 * run it does not own with {@link appendSystemLine}. Reads go by seq ({@link readRunLogs},
 * {@link tailRunLogs}); {@link pruneRunLogs} and {@link pruneRunMetrics} delete old rows in chunks.
 *
 * Plain `pg` (not MikroORM): a busy run writes thousands of lines a second.
 */
import pg from 'pg';
import { LOG_LEVEL_RANK, RunLogLevel, RunLogOrigin } from './run.enums.js';

export interface RunLogLine {
  seq: number;
  time: Date;
  level: RunLogLevel;
  origin: RunLogOrigin;
  message: string;
}

/** A pool, a pooled client or a client: whatever can run a query. */
export type Queryable = pg.Pool | pg.PoolClient | pg.Client;

export const DEFAULT_MAX_LINE_LENGTH = 64 * 1024;
/** The most lines one read returns. */
export const MAX_READ_LIMIT = 10_000;

const LEVELS = new Set<string>(Object.values(RunLogLevel));
const ORIGINS = new Set<string>(Object.values(RunLogOrigin));
/** The range of times stored as given; anything else (invalid Date, year 300000) is stored as "now". */
const MIN_TIME = Date.UTC(1, 0, 1);
const MAX_TIME = Date.UTC(9999, 11, 31);

// ------------------------------------------------------------------------------------ messages

function truncationMarker(cut: number): string {
  return ` …[${cut} characters cut]`;
}

/**
 * What is stored for a message: NUL characters (which PostgreSQL text cannot hold) become U+FFFD,
 * and a message longer than maxLength keeps its head followed by a marker saying how many
 * characters were cut, the whole being at most maxLength characters. Newlines are kept.
 */
export function normalizeMessage(message: string, maxLength = DEFAULT_MAX_LINE_LENGTH): string {
  let text = typeof message === 'string' ? message : String(message);
  if (text.includes('\u0000')) text = text.replaceAll('\u0000', '\uFFFD');
  if (text.length <= maxLength) return text;
  let keep = Math.max(0, maxLength - truncationMarker(text.length).length);
  // Never split a surrogate pair.
  const last = text.charCodeAt(keep - 1);
  if (keep > 0 && last >= 0xd800 && last <= 0xdbff) keep--;
  return text.slice(0, keep) + truncationMarker(text.length - keep);
}

/** Continuation lines of a multi-line message, in the text download. */
export const CONTINUATION_INDENT = '    ';

/**
 * One line of the plain-text log: `2026-11-24T10:00:00.123Z INFO  [ENGINE] message\n`; the lines
 * after the first of a multi-line message are indented by {@link CONTINUATION_INDENT}.
 */
export function formatRunLogLine(line: RunLogLine): string {
  const message = line.message.includes('\n')
    ? line.message.replace(/\r?\n/g, `\n${CONTINUATION_INDENT}`)
    : line.message;
  return `${line.time.toISOString()} ${line.level.padEnd(5)} [${line.origin}] ${message}\n`;
}

/** A LIKE pattern matching `text` literally anywhere (% _ and \ escaped, ESCAPE '\'). */
export function containsPattern(text: string): string {
  return `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

// -------------------------------------------------------------------------------------- writer

export interface RunLogWriterOptions {
  runId: string;
  /** The first seq to use: {@link nextLogSeq} of the run. */
  nextSeq: number;
  /** Applied to every message before it is stored (secrets). */
  redact?: (text: string) => string;
  /** Called after each committed batch with the seq of its last line. */
  onFlushed?: (lastSeq: number) => void;
  /** The longest a batch waits for more lines (default 50). */
  flushIntervalMs?: number;
  /** Lines a batch holds at most (default 5000). */
  maxBatchLines?: number;
  /** Longer messages are cut, with a marker saying how many characters were (default 64 KiB). */
  maxLineLength?: number;
  /** Lines kept while they cannot be written; beyond, the oldest are dropped (default 100,000). */
  maxPendingLines?: number;
  /** The same as a total of message characters (default 32 Mi, about 64 MB). */
  maxPendingChars?: number;
  /** Attempts after the first failed one, before onError (default 4; backoff 100, 200, 400, 800 ms). */
  retries?: number;
  retryDelayMs?: number;
  /** A batch that could not be stored (retries exhausted, lines dropped, a seq already taken). */
  onError?: (err: Error) => void;
}

export interface RunLogWriterStats {
  /** Committed batches (INSERT statements that succeeded). */
  batches: number;
  /** Lines committed. */
  lines: number;
  /** Failed attempts that were retried. */
  retries: number;
  /** Times onError was called. */
  errors: number;
  /** Lines dropped because the buffer was full or the batch could never be stored. */
  dropped: number;
}

interface Entry {
  seq: number;
  /** Epoch milliseconds. */
  t: number;
  level: RunLogLevel;
  origin: RunLogOrigin;
  message: string;
}

interface Waiter {
  seq: number;
  resolve: () => void;
  reject: (err: Error) => void;
}

const INSERT_SQL = `
  INSERT INTO run_log (run_id, seq, time, level, origin, message)
  SELECT $1::uuid, u.seq, timestamptz 'epoch' + u.ms * interval '1 millisecond', u.level, u.origin, u.message
  FROM unnest($2::bigint[], $3::float8[], $4::text[], $5::text[], $6::text[]) AS u (seq, ms, level, origin, message)
  ON CONFLICT (run_id, seq) DO NOTHING`;
/** A batch's total message characters at most: keeps one query's parameters bounded. */
const MAX_BATCH_CHARS = 8 * 1024 * 1024;

/**
 * SQLSTATE classes a retry cannot fix: data exceptions (22), integrity violations (23: the run was
 * deleted), syntax or undefined objects (42: the table is missing).
 */
function isPermanent(err: unknown): boolean {
  const code = (err as { code?: unknown }).code;
  return typeof code === 'string' && /^(22|23|42)/.test(code);
}

function asError(err: unknown): Error {
  return err instanceof Error ? err : new Error(String(err));
}

/**
 * Writes one run's log. `append` is synchronous and cheap: it assigns the next seq and buffers the
 * line; a background loop commits buffered lines in batches, in seq order, at most one batch at a
 * time: when {@link RunLogWriterOptions.maxBatchLines} lines are waiting, or
 * {@link RunLogWriterOptions.flushIntervalMs} after the first one, or on {@link flush}.
 *
 * A failed batch is retried with backoff; when the retries are exhausted onError is called, pending
 * {@link flush} calls reject, and the writer keeps the lines and keeps trying (every 1 s, growing
 * to 10 s). While it cannot write, at most maxPendingLines lines are kept: beyond, the oldest are
 * dropped, and once writing works again one WARN line (origin SYSTEM) takes the seq of the last
 * dropped line and says how many were dropped, so the log shows the gap. A line whose seq is
 * already taken (another instance wrote into this run with appendSystemLine) is skipped and
 * reported with onError; the statement is idempotent, so a batch retried after a commit whose
 * acknowledgement was lost is not duplicated.
 */
export class RunLogWriter {
  readonly runId: string;
  private readonly pool: pg.Pool;
  private readonly redactFn: ((text: string) => string) | undefined;
  private readonly onFlushed: ((lastSeq: number) => void) | undefined;
  private readonly onError: ((err: Error) => void) | undefined;
  private readonly flushIntervalMs: number;
  private readonly maxBatchLines: number;
  private readonly maxLineLength: number;
  private readonly maxPendingLines: number;
  private readonly maxPendingChars: number;
  private readonly retries: number;
  private readonly retryDelayMs: number;

  private next: number;
  /** Every line up to this seq is committed (or given up). */
  private settled: number;
  private pending: Entry[] = [];
  private head = 0;
  private pendingChars = 0;
  private inflight: Entry[] | undefined;
  private dropped: { count: number; firstSeq: number; lastSeq: number; t: number } | undefined;
  private waiters: Waiter[] = [];
  private loop: Promise<void> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private timerImmediate = false;
  private wake: (() => void) | undefined;
  private closing = false;
  private stopped = false;
  private closePromise: Promise<void> | undefined;
  private readonly counters: RunLogWriterStats = { batches: 0, lines: 0, retries: 0, errors: 0, dropped: 0 };

  constructor(pool: pg.Pool, options: RunLogWriterOptions) {
    if (!Number.isSafeInteger(options.nextSeq) || options.nextSeq < 1) {
      throw new RangeError(`RunLogWriter: nextSeq must be a whole number >= 1, got ${options.nextSeq}`);
    }
    this.pool = pool;
    this.runId = options.runId;
    this.next = options.nextSeq;
    this.settled = options.nextSeq - 1;
    this.redactFn = options.redact;
    this.onFlushed = options.onFlushed;
    this.onError = options.onError;
    this.flushIntervalMs = Math.max(0, options.flushIntervalMs ?? 50);
    this.maxBatchLines = Math.max(1, options.maxBatchLines ?? 5000);
    this.maxLineLength = Math.max(64, options.maxLineLength ?? DEFAULT_MAX_LINE_LENGTH);
    this.maxPendingLines = Math.max(1, options.maxPendingLines ?? 100_000);
    this.maxPendingChars = Math.max(this.maxLineLength, options.maxPendingChars ?? 32 * 1024 * 1024);
    this.retries = Math.max(0, options.retries ?? 4);
    this.retryDelayMs = Math.max(0, options.retryDelayMs ?? 100);
  }

  /** The seq of the last line appended (nextSeq - 1 before the first). */
  get lastSeq(): number {
    return this.next - 1;
  }

  /** The seq up to which every line is committed (or given up). */
  get flushedSeq(): number {
    return this.settled;
  }

  /** Lines appended and not yet committed. */
  get pendingLines(): number {
    return this.pending.length - this.head + (this.inflight?.length ?? 0);
  }

  get stats(): Readonly<RunLogWriterStats> {
    return { ...this.counters };
  }

  /**
   * Buffers a line and returns its seq. Never throws, except once the writer is closing or closed.
   * An unknown level is stored as INFO, an unknown origin as SYSTEM, an invalid time as now.
   */
  append(level: RunLogLevel, origin: RunLogOrigin, message: string, time?: Date): number {
    if (this.closing) throw new Error(`the log writer of run ${this.runId} is closed: a line cannot be appended`);
    let text: string;
    try {
      text = this.redactFn ? this.redactFn(message) : message;
    } catch (err) {
      // Never store what could not be redacted.
      text = '[message withheld: redacting it failed]';
      this.report(new Error(`run ${this.runId}: redacting a log line failed: ${asError(err).message}`));
    }
    text = normalizeMessage(text, this.maxLineLength);
    let t = time ? time.getTime() : Date.now();
    if (!(t >= MIN_TIME && t <= MAX_TIME)) t = Date.now();
    const seq = this.next++;
    this.pending.push({
      seq,
      t,
      level: LEVELS.has(level) ? level : RunLogLevel.INFO,
      origin: ORIGINS.has(origin) ? origin : RunLogOrigin.SYSTEM,
      message: text,
    });
    this.pendingChars += text.length;
    this.enforceCap();
    this.schedule();
    return seq;
  }

  /** Resolves once every line appended so far is committed; rejects when writing them failed (see the class). */
  flush(): Promise<void> {
    const seq = this.lastSeq;
    if (seq <= this.settled && !this.dropped) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      this.waiters.push({ seq, resolve, reject });
      this.kick();
    });
  }

  /** Flushes, then stops: lines still not stored when the flush fails are discarded (the rejection says how many). */
  close(): Promise<void> {
    this.closePromise ??= (async () => {
      this.closing = true;
      try {
        await this.flush();
      } catch (err) {
        const lost = this.pendingLines;
        throw new Error(
          `the log writer of run ${this.runId} closed with ${lost} line(s) not stored: ${asError(err).message}`,
          { cause: err },
        );
      } finally {
        this.stopped = true;
        this.clearTimer();
        this.wake?.();
        this.pending = [];
        this.head = 0;
        this.pendingChars = 0;
        this.inflight = undefined;
      }
    })();
    return this.closePromise;
  }

  // ------------------------------------------------------------------------------- internals

  private report(err: Error): void {
    this.counters.errors++;
    try {
      this.onError?.(err);
    } catch {
      // A failing error handler must not stop the writer.
    }
  }

  /** Drops the oldest buffered lines (never the one in flight) while over a cap. */
  private enforceCap(): void {
    const inflight = this.inflight?.length ?? 0;
    while (
      this.pending.length - this.head > 1 &&
      (this.pending.length - this.head + inflight > this.maxPendingLines || this.pendingChars > this.maxPendingChars)
    ) {
      const e = this.pending[this.head]!;
      this.pending[this.head++] = undefined as unknown as Entry;
      this.pendingChars -= e.message.length;
      this.counters.dropped++;
      if (this.dropped) {
        this.dropped.count++;
        this.dropped.lastSeq = e.seq;
        this.dropped.t = e.t;
      } else {
        this.dropped = { count: 1, firstSeq: e.seq, lastSeq: e.seq, t: e.t };
      }
    }
    this.compact();
  }

  private compact(): void {
    if (this.head > 1024 && this.head * 2 > this.pending.length) {
      this.pending = this.pending.slice(this.head);
      this.head = 0;
    }
  }

  private get batchReady(): boolean {
    return this.pending.length - this.head >= this.maxBatchLines || this.pendingChars >= MAX_BATCH_CHARS;
  }

  private schedule(): void {
    if (this.loop || this.stopped) return;
    if (this.batchReady) this.arm(0);
    else if (!this.timer) this.arm(this.flushIntervalMs);
  }

  private arm(delay: number): void {
    if (this.timer) {
      if (delay > 0 || this.timerImmediate) return;
      clearTimeout(this.timer);
    }
    this.timerImmediate = delay === 0;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.start();
    }, delay);
  }

  private clearTimer(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** Writes now: starts the loop, or wakes it from a pause after failures. */
  private kick(): void {
    if (this.stopped) return;
    if (this.loop) {
      this.wake?.();
      return;
    }
    this.clearTimer();
    this.start();
  }

  private start(): void {
    if (this.loop || this.stopped) return;
    this.loop = this.run()
      .catch((err: unknown) =>
        this.report(new Error(`run ${this.runId}: the log writer failed: ${asError(err).message}`)),
      )
      .finally(() => {
        this.loop = undefined;
        if (!this.stopped && (this.pending.length > this.head || this.dropped)) {
          if (this.waiters.length || this.closing) this.arm(0);
          else this.schedule();
        }
      });
  }

  private takeBatch(): Entry[] {
    const batch: Entry[] = [];
    if (this.dropped) {
      const d = this.dropped;
      this.dropped = undefined;
      const range = d.count === 1 ? `seq ${d.firstSeq}` : `seq ${d.firstSeq}–${d.lastSeq}`;
      batch.push({
        seq: d.lastSeq,
        t: d.t,
        level: RunLogLevel.WARN,
        origin: RunLogOrigin.SYSTEM,
        message:
          `${d.count} log line(s) dropped (${range}): they could not be stored in time and the buffer ` +
          `(${this.maxPendingLines} lines) was full`,
      });
    }
    let chars = 0;
    while (this.head < this.pending.length && batch.length < this.maxBatchLines && chars < MAX_BATCH_CHARS) {
      const e = this.pending[this.head]!;
      this.pending[this.head++] = undefined as unknown as Entry;
      chars += e.message.length;
      batch.push(e);
    }
    this.pendingChars -= chars;
    if (this.head === this.pending.length) {
      this.pending = [];
      this.head = 0;
    } else {
      this.compact();
    }
    return batch;
  }

  private async run(): Promise<void> {
    let first = true;
    let failedRounds = 0;
    while (!this.stopped) {
      if (!this.inflight) {
        const more = this.pending.length > this.head || this.dropped !== undefined;
        // After the first batch, keep going only for a full batch or someone waiting.
        if (!more || (!first && !this.batchReady && !this.waiters.length && !this.closing)) return;
        this.inflight = this.takeBatch();
      }
      first = false;
      const batch = this.inflight;
      const from = batch[0]!.seq;
      const to = batch[batch.length - 1]!.seq;
      const err = await this.writeWithRetries(batch);
      if (this.stopped) return;
      if (!err) {
        failedRounds = 0;
        this.inflight = undefined;
        this.settle(to);
        try {
          this.onFlushed?.(to);
        } catch (cbErr) {
          this.report(new Error(`run ${this.runId}: onFlushed failed: ${asError(cbErr).message}`));
        }
        continue;
      }
      if (isPermanent(err)) {
        this.inflight = undefined;
        this.counters.dropped += batch.length;
        const e = new Error(
          `run ${this.runId}: ${batch.length} log line(s) (seq ${from}–${to}) cannot be stored and were dropped: ${err.message}`,
          { cause: err },
        );
        this.report(e);
        this.settle(to, e);
        continue;
      }
      failedRounds++;
      const e = new Error(
        `run ${this.runId}: storing log lines seq ${from}–${to} failed ${this.retries + 1} times ` +
          `(${this.pendingLines} line(s) kept, retrying): ${err.message}`,
        { cause: err },
      );
      this.report(e);
      for (const w of this.waiters.splice(0)) w.reject(e);
      if (this.closing) return;
      await this.pause(Math.min(10_000, 1000 * 2 ** (failedRounds - 1)));
    }
  }

  /** Marks lines up to seq as done; waiters up to there resolve (or reject with `failure`). */
  private settle(seq: number, failure?: Error): void {
    if (seq > this.settled) this.settled = seq;
    const keep: Waiter[] = [];
    for (const w of this.waiters) {
      if (w.seq > this.settled) keep.push(w);
      else if (failure) w.reject(failure);
      else w.resolve();
    }
    this.waiters = keep;
  }

  private pause(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.wake = undefined;
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.wake = done;
    });
  }

  private async writeWithRetries(batch: Entry[]): Promise<Error | undefined> {
    for (let attempt = 0; ; attempt++) {
      try {
        await this.insert(batch, attempt > 0);
        return undefined;
      } catch (err) {
        if (isPermanent(err) || attempt >= this.retries || this.stopped) return asError(err);
        this.counters.retries++;
        await new Promise((r) => setTimeout(r, this.retryDelayMs * 2 ** attempt));
      }
    }
  }

  private async insert(batch: Entry[], isRetry: boolean): Promise<void> {
    const n = batch.length;
    const seqs = new Array<number>(n);
    const times = new Array<number>(n);
    const levels = new Array<string>(n);
    const origins = new Array<string>(n);
    const messages = new Array<string>(n);
    for (let i = 0; i < n; i++) {
      const e = batch[i]!;
      seqs[i] = e.seq;
      times[i] = e.t;
      levels[i] = e.level;
      origins[i] = e.origin;
      messages[i] = e.message;
    }
    const result = await this.pool.query({
      name: 'sluice_run_log_insert',
      text: INSERT_SQL,
      values: [this.runId, seqs, times, levels, origins, messages],
    });
    this.counters.batches++;
    const stored = result.rowCount ?? 0;
    this.counters.lines += stored;
    // On a retry, 0 stored means the previous attempt committed (its acknowledgement was lost).
    if (stored < n && !(isRetry && stored === 0)) {
      this.report(
        new Error(
          `run ${this.runId}: ${n - stored} of ${n} log line(s) (seq ${batch[0]!.seq}–${batch[n - 1]!.seq}) were not ` +
            'stored: their seq was already taken by another writer',
        ),
      );
    }
  }
}

// ------------------------------------------------------------------------------ single lines

/** The seq the run's next line takes: max(seq) + 1, or 1 for an empty log. */
export async function nextLogSeq(db: Queryable, runId: string): Promise<number> {
  const { rows } = await db.query<{ next: string }>(
    'SELECT coalesce(max(seq), 0) + 1 AS next FROM run_log WHERE run_id = $1',
    [runId],
  );
  return Number(rows[0]!.next);
}

function isPool(db: Queryable): db is pg.Pool {
  return 'totalCount' in db && 'idleCount' in db;
}

export interface AppendSystemLineOptions {
  time?: Date;
  redact?: (text: string) => string;
  maxLineLength?: number;
  /** The client is inside the caller's transaction: no BEGIN/COMMIT here (the lock lasts until the caller's COMMIT). */
  inTransaction?: boolean;
}

/**
 * Appends one SYSTEM line to a run this instance does not own (its owner died, or it never started).
 * Locks the run row (SELECT ... FOR UPDATE), so such lines are serialised, and takes max(seq) + 1 in
 * the same transaction; returns the seq. Throws when the run does not exist. With a pool or a client
 * outside a transaction it runs its own transaction; pass `inTransaction` to use the caller's.
 *
 * A writer still executing the run does not take the lock: a line appended here can take a seq
 * the writer has handed out and not yet stored, and the writer then reports that line as not stored.
 */
export async function appendSystemLine(
  db: Queryable,
  runId: string,
  level: RunLogLevel,
  message: string,
  options: AppendSystemLineOptions = {},
): Promise<number> {
  let text = options.redact ? options.redact(message) : message;
  text = normalizeMessage(text, options.maxLineLength ?? DEFAULT_MAX_LINE_LENGTH);
  const time = options.time ?? new Date();
  const work = async (c: pg.PoolClient | pg.Client): Promise<number> => {
    const locked = await c.query('SELECT id FROM run WHERE id = $1 FOR UPDATE', [runId]);
    if (!locked.rowCount) throw new Error(`cannot append a log line: run ${runId} does not exist`);
    // The owner's writer does not lock: retry when it stores the same seq first.
    for (let attempt = 0; attempt < 10; attempt++) {
      const { rows } = await c.query<{ seq: string }>(
        `INSERT INTO run_log (run_id, seq, time, level, origin, message)
         SELECT $1, coalesce(max(seq), 0) + 1, $2, $3, 'SYSTEM', $4 FROM run_log WHERE run_id = $1
         ON CONFLICT (run_id, seq) DO NOTHING RETURNING seq`,
        [runId, time, LEVELS.has(level) ? level : RunLogLevel.INFO, text],
      );
      if (rows.length) return Number(rows[0]!.seq);
    }
    throw new Error(`cannot append a log line to run ${runId}: its next seq kept being taken`);
  };
  if (options.inTransaction && !isPool(db)) return work(db);
  const client = isPool(db) ? await db.connect() : db;
  let broken: Error | undefined;
  try {
    await client.query('BEGIN');
    try {
      const seq = await work(client);
      await client.query('COMMIT');
      return seq;
    } catch (err) {
      await client.query('ROLLBACK').catch((rollbackErr: unknown) => {
        broken = asError(rollbackErr);
      });
      throw err;
    }
  } finally {
    if (isPool(db)) (client as pg.PoolClient).release(broken);
  }
}

// -------------------------------------------------------------------------------------- reads

export interface ReadRunLogsOptions {
  /** Lines with a greater seq. */
  afterSeq?: number;
  /** Lines with a smaller seq; without afterSeq, the last `limit` of them (still in seq order). */
  beforeSeq?: number;
  /** At most this many lines (1 to 10,000; more is read as 10,000). */
  limit: number;
  /** Case-insensitive text the message contains (literally: % and _ are not wildcards). */
  search?: string;
  /** This level and above. */
  minLevel?: RunLogLevel;
  origin?: RunLogOrigin;
}

const SELECT_LINES = 'SELECT seq, time, level, origin, message FROM run_log';

interface LineRow {
  seq: string;
  time: Date;
  level: RunLogLevel;
  origin: RunLogOrigin;
  message: string;
}

function toLine(row: LineRow): RunLogLine {
  return { seq: Number(row.seq), time: row.time, level: row.level, origin: row.origin, message: row.message };
}

function checkSeq(name: string, value: number | undefined | null): void {
  if (value != null && !Number.isSafeInteger(value)) {
    throw new RangeError(`${name} must be a whole number, got ${String(value)}`);
  }
}

function checkLimit(name: string, value: number): number {
  if (!Number.isSafeInteger(value) || value < 1) {
    throw new RangeError(`${name} must be a whole number from 1 to ${MAX_READ_LIMIT}, got ${String(value)}`);
  }
  return Math.min(value, MAX_READ_LIMIT);
}

/** A run's lines in seq order, filtered (see {@link ReadRunLogsOptions}). */
export async function readRunLogs(db: Queryable, runId: string, options: ReadRunLogsOptions): Promise<RunLogLine[]> {
  const limit = checkLimit('limit', options.limit);
  checkSeq('afterSeq', options.afterSeq);
  checkSeq('beforeSeq', options.beforeSeq);
  const params: unknown[] = [runId];
  const where = ['run_id = $1'];
  const add = (sql: string, value: unknown) => {
    params.push(value);
    where.push(sql.replace('?', `$${params.length}`));
  };
  if (options.afterSeq != null) add('seq > ?', options.afterSeq);
  if (options.beforeSeq != null) add('seq < ?', options.beforeSeq);
  if (options.search) add(`message ILIKE ? ESCAPE '\\'`, containsPattern(options.search));
  if (options.minLevel != null) {
    const rank = LOG_LEVEL_RANK[options.minLevel];
    if (rank === undefined) throw new RangeError(`minLevel must be one of ${[...LEVELS].join(', ')}`);
    if (rank > 0)
      add(
        'level = ANY(?::text[])',
        [...LEVELS].filter((l) => LOG_LEVEL_RANK[l as RunLogLevel] >= rank),
      );
  }
  if (options.origin != null) {
    if (!ORIGINS.has(options.origin)) throw new RangeError(`origin must be one of ${[...ORIGINS].join(', ')}`);
    add('origin = ?', options.origin);
  }
  const backwards = options.beforeSeq != null && options.afterSeq == null;
  params.push(limit);
  const { rows } = await db.query<LineRow>(
    `${SELECT_LINES} WHERE ${where.join(' AND ')} ORDER BY seq ${backwards ? 'DESC' : 'ASC'} LIMIT $${params.length}`,
    params,
  );
  if (backwards) rows.reverse();
  return rows.map(toLine);
}

/** The run's last `lines` lines (1 to 10,000), in seq order. */
export async function tailRunLogs(db: Queryable, runId: string, lines: number): Promise<RunLogLine[]> {
  const limit = checkLimit('lines', lines);
  const { rows } = await db.query<LineRow>(`${SELECT_LINES} WHERE run_id = $1 ORDER BY seq DESC LIMIT $2`, [
    runId,
    limit,
  ]);
  return rows.reverse().map(toLine);
}

// -------------------------------------------------------------------------------------- prune

export const PRUNE_CHUNK = 10_000;

async function pruneChunked(
  db: Queryable,
  table: 'run_log' | 'run_metric',
  key: string,
  olderThanDays: number,
  chunkSize: number,
): Promise<number> {
  if (!Number.isFinite(olderThanDays) || olderThanDays < 0) {
    throw new RangeError(`olderThanDays must be a number >= 0, got ${String(olderThanDays)}`);
  }
  const chunk = checkChunk(chunkSize);
  // One cutoff for every chunk, from the database's clock.
  const { rows } = await db.query<{ cutoff: string }>(
    `SELECT (now() - $1::float8 * interval '1 day')::text AS cutoff`,
    [olderThanDays],
  );
  const cutoff = rows[0]!.cutoff;
  let total = 0;
  for (;;) {
    // Each statement deletes at most one chunk, in its own short transaction.
    const result = await db.query(
      `DELETE FROM ${table} WHERE (${key}) IN (SELECT ${key} FROM ${table} WHERE time < $1::timestamptz LIMIT $2)`,
      [cutoff, chunk],
    );
    const n = result.rowCount ?? 0;
    total += n;
    if (n < chunk) return total;
  }
}

function checkChunk(chunkSize: number): number {
  if (!Number.isSafeInteger(chunkSize) || chunkSize < 1) {
    throw new RangeError(`chunkSize must be a whole number >= 1, got ${String(chunkSize)}`);
  }
  return chunkSize;
}

/** Deletes log lines whose time is more than olderThanDays ago, 10,000 rows a statement; returns how many. */
export function pruneRunLogs(
  db: Queryable,
  olderThanDays: number,
  options: { chunkSize?: number } = {},
): Promise<number> {
  return pruneChunked(db, 'run_log', 'run_id, seq', olderThanDays, options.chunkSize ?? PRUNE_CHUNK);
}

/** Deletes metric samples whose time is more than olderThanDays ago, in chunks; returns how many. */
export function pruneRunMetrics(
  db: Queryable,
  olderThanDays: number,
  options: { chunkSize?: number } = {},
): Promise<number> {
  return pruneChunked(db, 'run_metric', 'run_id, time', olderThanDays, options.chunkSize ?? PRUNE_CHUNK);
}
