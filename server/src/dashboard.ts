import { existsSync } from 'node:fs';
import path from 'node:path';
import type http from 'node:http';
import express from 'express';
import type { Logger } from './logger.js';

/** What the server answers itself: the dashboard never stands in for these, whatever the Accept header. */
const SERVER_PATHS = /^\/(?:graphql|healthz|readyz|assets)(?:\/|$)|^\/runs\/[^/]+\/log\/?$/;

/** index.html is the one file that must never be cached unrevalidated: it names the current assets. */
const HTML_HEADERS = {
  'Cache-Control': 'no-cache',
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'X-Frame-Options': 'DENY',
};

export const DASHBOARD_NOT_BUILT =
  'The Sluice dashboard is not built. Build it with `npm run build -w dashboard` (or `npm run build`), ' +
  'then reload this page. The API is at /graphql.\n';

/**
 * The built dashboard (Vite's output) at `/`: `assets/` (content-hashed names) cached for good,
 * the other files revalidated, and index.html for any other page a browser asks for, so that the
 * dashboard's history-mode routes (`/tasks/42`) load on a reload or from a bookmark.
 */
export function createDashboardRoutes(options: { dir: string; logger: Logger }): express.Router {
  const { dir, logger } = options;
  const index = path.join(dir, 'index.html');
  if (!existsSync(index)) {
    logger.warn(
      { dir },
      'the dashboard is not built: / answers 503 until `npm run build -w dashboard` writes it (or set SLUICE_DASHBOARD_DIR)',
    );
  }

  const router = express.Router();
  router.use(
    '/assets',
    express.static(path.join(dir, 'assets'), {
      index: false,
      redirect: false,
      immutable: true,
      maxAge: '1y',
      setHeaders: (res: http.ServerResponse) => res.setHeader('X-Content-Type-Options', 'nosniff'),
    }),
    // A missing asset is a 404, never index.html: a stale page asking for an old bundle must fail visibly.
    (_req: express.Request, res: express.Response) => {
      res.status(404).type('text/plain').send('Not found\n');
    },
  );
  router.use(
    express.static(dir, {
      index: false,
      redirect: false,
      setHeaders: (res: http.ServerResponse, file: string) => {
        if (file.endsWith('.html')) {
          for (const [name, value] of Object.entries(HTML_HEADERS)) res.setHeader(name, value);
        } else {
          res.setHeader('Cache-Control', 'no-cache');
          res.setHeader('X-Content-Type-Options', 'nosniff');
        }
      },
    }),
  );
  router.use((req, res, next) => {
    if ((req.method !== 'GET' && req.method !== 'HEAD') || SERVER_PATHS.test(req.path) || !req.accepts('html')) {
      next();
      return;
    }
    res.set(HTML_HEADERS);
    res.sendFile(index, (err?: NodeJS.ErrnoException) => {
      if (!err || res.headersSent) return;
      if (err.code === 'ENOENT' || err.code === 'ENOTDIR') {
        res.status(503).type('text/plain').send(DASHBOARD_NOT_BUILT);
      } else {
        next(err);
      }
    });
  });
  return router;
}
