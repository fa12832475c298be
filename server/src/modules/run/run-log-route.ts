/**
 * GET /runs/:id/log — a run's whole log as plain text (a download), streamed page by page so
 * memory stays flat however long the log is. Query parameters: `level` (minimum level) and
 * `search` (case-insensitive text the line contains).
 */
import { once } from 'node:events';
import { isUUID } from 'class-validator';
import type express from 'express';
import type pg from 'pg';
import { formatRunLogLine, readRunLogs } from './run-log.js';
import { RunLogLevel } from './run.enums.js';

export type RunLogAccess = 'ok' | 'unauthenticated' | 'forbidden' | 'not-found';

export interface RunLogRouteDeps {
  pool: pg.Pool;
  /** Whether the request may read this run's log. */
  authorize(req: express.Request, runId: string): Promise<RunLogAccess>;
  /** Lines read a query (default 5000). */
  pageSize?: number;
}

const REFUSALS: Record<Exclude<RunLogAccess, 'ok'>, [number, string]> = {
  unauthenticated: [401, 'Authentication required'],
  forbidden: [403, 'Not allowed to read this run'],
  'not-found': [404, 'Run not found'],
};

function sendText(res: express.Response, status: number, text: string): void {
  res.status(status).type('text/plain; charset=utf-8').send(`${text}\n`);
}

/** One optional string query parameter; undefined when absent, null when repeated or not a string. */
function queryString(req: express.Request, name: string): string | undefined | null {
  const value: unknown = (req.query as Record<string, unknown>)[name];
  if (value === undefined) return undefined;
  return typeof value === 'string' ? value : null;
}

/** Back-pressure: waits until the client took what was written (or went away), so a slow one holds one page at most. */
async function drained(res: express.Response): Promise<void> {
  const ac = new AbortController();
  try {
    await Promise.race([once(res, 'drain', { signal: ac.signal }), once(res, 'close', { signal: ac.signal })]);
  } finally {
    ac.abort();
  }
}

export function createRunLogRoute(deps: RunLogRouteDeps): express.RequestHandler {
  const pageSize = deps.pageSize ?? 5000;
  return async (req, res) => {
    const id = String(req.params.id ?? '');
    if (!isUUID(id)) return sendText(res, 404, REFUSALS['not-found'][1]);
    const runId = id.toLowerCase();

    const access = await deps.authorize(req, runId);
    if (access !== 'ok') {
      const [status, text] = REFUSALS[access] ?? [403, 'Not allowed'];
      if (status === 401) res.setHeader('WWW-Authenticate', 'Bearer');
      return sendText(res, status, text);
    }

    const level = queryString(req, 'level');
    const search = queryString(req, 'search');
    const minLevel = level ? (level.toUpperCase() as RunLogLevel) : undefined;
    if (level === null || (minLevel !== undefined && !Object.values(RunLogLevel).includes(minLevel))) {
      return sendText(res, 400, `level must be one of ${Object.values(RunLogLevel).join(', ')}`);
    }
    if (search === null) return sendText(res, 400, 'search must be given once, as text');

    // Read the first page before the headers: a failure there is still a plain 500.
    let page = await readRunLogs(deps.pool, runId, { afterSeq: 0, limit: pageSize, search, minLevel });
    res.status(200);
    res.setHeader('Content-Type', 'text/plain; charset=utf-8');
    res.setHeader('Content-Disposition', `attachment; filename="run-${runId}.log"`);
    res.setHeader('Cache-Control', 'no-store');
    res.setHeader('X-Content-Type-Options', 'nosniff');
    if (req.method === 'HEAD') {
      res.end();
      return;
    }
    try {
      for (;;) {
        if (res.destroyed) return; // the client went away
        if (page.length) {
          let text = '';
          for (const line of page) text += formatRunLogLine(line);
          if (!res.write(text)) await drained(res);
        }
        if (page.length < pageSize) break;
        const afterSeq = page[page.length - 1]!.seq;
        page = await readRunLogs(deps.pool, runId, { afterSeq, limit: pageSize, search, minLevel });
      }
      res.end();
    } catch (err) {
      // The status is sent: cut the response so the client sees an incomplete download, not a short log.
      res.destroy(err instanceof Error ? err : new Error(String(err)));
    }
  };
}
