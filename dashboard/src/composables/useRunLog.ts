import type { CombinedError } from '@urql/core';
import { useClientHandle } from '@urql/vue';
import { onScopeDispose, shallowRef, toValue, watch, type MaybeRefOrGetter } from 'vue';
import { graphql } from '@/gql';
import type { RunLogLevel, RunLogOrigin } from '@/gql/graphql';

const RunLogStream = graphql(`
  subscription RunLogStream($runId: ID!, $afterSeq: Int) {
    runLogAppended(runId: $runId, afterSeq: $afterSeq) {
      lastSeq
      lines {
        seq
        time
        level
        origin
        message
      }
    }
  }
`);

const RunLogLastSeq = graphql(`
  query RunLogLastSeq($id: ID!) {
    run(id: $id) {
      id
      logTail(lines: 1) {
        seq
      }
    }
  }
`);

const RunLogEarlier = graphql(`
  query RunLogEarlier($id: ID!, $beforeSeq: Int!, $limit: Int!, $origin: RunLogOrigin) {
    run(id: $id) {
      id
      logs(beforeSeq: $beforeSeq, limit: $limit, origin: $origin) {
        seq
        time
        level
        origin
        message
      }
    }
  }
`);

export interface LogLine {
  seq: number;
  time: string;
  level: RunLogLevel;
  origin: RunLogOrigin;
  message: string;
}

export interface RunLogOptions {
  runId: MaybeRefOrGetter<string>;
  /** The newest lines kept in memory; older ones are dropped (the download has them all). Default 200,000. */
  maxLines?: number;
  /**
   * Stored lines loaded when the log opens (the newest); `loadEarlier` adds more, up to maxLines.
   * Default 20,000: the server streams stored lines at roughly 15,000 a second, so a long log
   * shows its end at once instead of after replaying its whole history.
   */
  initialLines?: number;
  /** Lines `loadEarlier` fetches at a time (the server allows 10,000). Default 10,000. */
  pageLines?: number;
  /** Hook lines kept apart for the timeline (they are few; a SQL hook printing rows is capped). Default 2,000. */
  maxHookLines?: number;
}

/** `appended` new lines at the end; `dropped` old ones left the front; `prepended` earlier ones were added before. */
export type LogListener = (change: { appended: readonly LogLine[]; dropped: number; prepended: number }) => void;

/** Waits this long before subscribing again after the stream ended with an error. */
const RESUBSCRIBE_MS = 2_000;

/**
 * A run's log as it arrives: the stored lines, then live ones, from `runLogAppended`. Built to
 * take 10,000 lines a second without Vue noticing each one: lines go into a plain array, and
 * listeners (and `version`) hear about them at most once per animation frame, in one batch.
 *
 * Nothing is ever shown twice or skipped: lines are taken only when their seq is past the last
 * one kept, and the subscription resumes after that seq when the socket reconnects.
 */
export function useRunLog(options: RunLogOptions) {
  const maxLines = options.maxLines ?? 200_000;
  const maxHookLines = options.maxHookLines ?? 2_000;
  const initialLines = Math.min(options.initialLines ?? 20_000, maxLines);
  const pageLines = options.pageLines ?? 10_000;
  const { client } = useClientHandle();

  /** Every kept line, in seq order (never reactive: 200,000 proxies would cost more than the lines). */
  let lines: LogLine[] = [];
  const incoming: LogLine[] = [];
  const listeners = new Set<LogListener>();
  /** Bumped once per frame that appended lines. */
  const version = shallowRef(0);
  /** Seq of the first line the server has that is not in memory + 1 (1: the whole log is here). */
  const firstSeq = shallowRef(1);
  const lastSeq = shallowRef(0);
  const hookLines = shallowRef<LogLine[]>([]);
  /** The first ERROR line seen (kept even after it left memory). */
  const firstError = shallowRef<LogLine | null>(null);
  const connected = shallowRef(false);
  /** Bumped when the log is loaded again from the start (listeners should drop what they hold). */
  const generation = shallowRef(0);
  const error = shallowRef<CombinedError | null>(null);
  const loadingEarlier = shallowRef(false);

  let seen = 0;
  let frame = 0;
  let stopped = false;
  let unsubscribe: (() => void) | undefined;
  let retry: ReturnType<typeof setTimeout> | undefined;
  // graphql-ws re-sends this very object when it reconnects, so keeping afterSeq current here makes
  // a reconnect resume after the last line kept instead of replaying the log from the start.
  let variables: { runId: string; afterSeq: number } = { runId: '', afterSeq: 0 };

  function take(batch: readonly LogLine[]): void {
    for (const line of batch) {
      if (line.seq <= seen) continue; // a replay after a reconnect
      seen = line.seq;
      incoming.push(line);
    }
    variables.afterSeq = seen;
    if (incoming.length && !frame) frame = requestAnimationFrame(flush);
  }

  function flush(): void {
    frame = 0;
    if (!incoming.length) return;
    const batch = incoming.splice(0);
    let hooks: LogLine[] | undefined;
    for (const line of batch) {
      if (line.origin === 'HOOK') (hooks ??= []).push(line);
      if (line.level === 'ERROR' && !firstError.value) firstError.value = line;
    }
    if (hooks) hookLines.value = [...hookLines.value, ...hooks].slice(-maxHookLines);
    for (const line of batch) lines.push(line);
    let dropped = 0;
    // Trim in steps (a tenth of the cap) so the copy happens rarely, not on every frame.
    if (lines.length > maxLines * 1.1) {
      dropped = lines.length - maxLines;
      lines = lines.slice(dropped);
      firstSeq.value = lines[0]!.seq;
    }
    lastSeq.value = seen;
    for (const listener of listeners) listener({ appended: batch, dropped, prepended: 0 });
    version.value++;
  }

  async function start(): Promise<void> {
    stop();
    stopped = false;
    const runId = toValue(options.runId);
    lines = [];
    incoming.length = 0;
    seen = 0;
    hookLines.value = [];
    firstError.value = null;
    error.value = null;
    generation.value++; // views drop the previous run's lines now, not when the new ones arrive
    // A long log is not replayed from its first line: only the newest maxLines are kept anyway.
    const tail = await client.query(RunLogLastSeq, { id: runId }, { requestPolicy: 'network-only' }).toPromise();
    if (stopped) return;
    if (tail.error) {
      error.value = tail.error;
      return;
    }
    const last = tail.data?.run.logTail[0]?.seq ?? 0;
    seen = Math.max(0, last - initialLines);
    firstSeq.value = seen + 1;
    lastSeq.value = seen;
    generation.value++;
    version.value++;
    subscribe(runId);
    if (seen > 0) void loadEarlierHooks(runId, seen + 1);
  }

  /** Hook lines before the loaded part (the timeline shows every hook, however long the log). */
  async function loadEarlierHooks(runId: string, beforeSeq: number): Promise<void> {
    const generationAtStart = generation.value;
    const result = await client
      .query(
        RunLogEarlier,
        { id: runId, beforeSeq, limit: maxHookLines, origin: 'HOOK' },
        { requestPolicy: 'network-only' },
      )
      .toPromise();
    if (generation.value !== generationAtStart || !result.data) return;
    const first = hookLines.value[0]?.seq ?? Infinity;
    const earlier = result.data.run.logs.filter((line) => line.seq < first);
    hookLines.value = [...earlier, ...hookLines.value].slice(0, maxHookLines);
  }

  function subscribe(runId: string): void {
    variables = { runId, afterSeq: seen };
    let handle: { unsubscribe(): void } | undefined = undefined;
    handle = client.subscription(RunLogStream, variables).subscribe((result) => {
      if (result.error) {
        error.value = result.error;
        connected.value = false;
        handle?.unsubscribe();
        // graphql-ws retries a dropped socket itself; this is a stream that ended. A refusal
        // (NOT_FOUND, FORBIDDEN) stays an error; anything else is asked again, after the last line.
        if (!stopped && result.error.graphQLErrors.length === 0) {
          retry = setTimeout(() => subscribe(runId), RESUBSCRIBE_MS);
        }
        return;
      }
      error.value = null;
      connected.value = true;
      const chunk = result.data?.runLogAppended;
      if (chunk) take(chunk.lines);
    });
    unsubscribe = () => handle?.unsubscribe();
  }

  /** Loads the page of stored lines before the first one held (while under maxLines). */
  async function loadEarlier(): Promise<CombinedError | null> {
    const room = maxLines - lines.length;
    if (firstSeq.value <= 1 || room <= 0 || loadingEarlier.value) return null;
    const runId = toValue(options.runId);
    const generationAtStart = generation.value;
    loadingEarlier.value = true;
    const result = await client
      .query(
        RunLogEarlier,
        { id: runId, beforeSeq: firstSeq.value, limit: Math.min(pageLines, room) },
        { requestPolicy: 'network-only' },
      )
      .toPromise();
    loadingEarlier.value = false;
    if (result.error) return result.error;
    if (generation.value !== generationAtStart) return null; // loaded again meanwhile
    const earlier = (result.data?.run.logs ?? []).filter((line) => line.seq < firstSeq.value);
    if (!earlier.length) {
      firstSeq.value = 1;
      return null;
    }
    lines = earlier.concat(lines);
    firstSeq.value = earlier[0]!.seq;
    // Earlier lines come first: an error among them is the log's first.
    firstError.value = earlier.find((line) => line.level === 'ERROR') ?? firstError.value;
    for (const listener of listeners) listener({ appended: [], dropped: 0, prepended: earlier.length });
    version.value++;
    return null;
  }

  function stop(): void {
    stopped = true;
    clearTimeout(retry);
    unsubscribe?.();
    unsubscribe = undefined;
    if (frame) cancelAnimationFrame(frame);
    frame = 0;
    connected.value = false;
  }

  watch(
    () => toValue(options.runId),
    () => void start(),
    { immediate: true },
  );
  onScopeDispose(stop);

  return {
    /** The kept lines (read after `version` changed, or in a listener). */
    lines: () => lines,
    version,
    generation,
    firstSeq,
    lastSeq,
    hookLines,
    firstError,
    connected,
    error,
    /** Called once per frame with the lines appended and how many old ones were dropped from the front. */
    onAppend(listener: LogListener): () => void {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    /** Index of the line with this seq in `lines()`, or of the first line after it. */
    indexOf(seq: number): number {
      return lowerBound(lines, seq);
    },
    loadingEarlier,
    /** True while earlier stored lines can still be loaded into memory. */
    canLoadEarlier: () => firstSeq.value > 1 && lines.length < maxLines,
    loadEarlier,
    /** Loads the log again from the server (after an error). */
    restart: start,
  };
}

export type RunLog = ReturnType<typeof useRunLog>;

/** First index whose seq is >= `seq` (lines are in seq order). */
export function lowerBound(list: readonly { seq: number }[], seq: number): number {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (list[mid]!.seq < seq) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
