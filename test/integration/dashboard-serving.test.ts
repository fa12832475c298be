/**
 * The server serving a built dashboard, with a stand-in build (an index.html, a hashed asset and a
 * public file) in a temporary folder: this tests the routes, not the Vue app.
 */
import { randomUUID } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';

const INDEX =
  '<!doctype html><html><body><div id="app"></div><script type="module" src="/assets/index-3f2a9c.js"></script></body></html>\n';
const ASSET = 'console.log("the dashboard");\n';
const HTML = { accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8' };

describe('serving the dashboard', () => {
  let db: TestDatabase;
  let built: string;
  let unbuilt: string;
  let t: TestApp;

  beforeAll(async () => {
    db = await createTestDatabase();
    built = await mkdtemp(path.join(os.tmpdir(), 'sluice-dashboard-'));
    unbuilt = await mkdtemp(path.join(os.tmpdir(), 'sluice-dashboard-empty-'));
    await mkdir(path.join(built, 'assets'));
    await writeFile(path.join(built, 'index.html'), INDEX);
    await writeFile(path.join(built, 'assets', 'index-3f2a9c.js'), ASSET);
    await writeFile(path.join(built, 'favicon.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>');
    t = await startTestApp({ databaseUrl: db.url, env: { SLUICE_DASHBOARD_DIR: built } });
  });

  afterAll(async () => {
    await t?.stop();
    await db?.drop();
    await rm(built, { recursive: true, force: true });
    await rm(unbuilt, { recursive: true, force: true });
  });

  const get = (url: string, headers: Record<string, string> = HTML, method = 'GET') =>
    fetch(url, { headers, method, redirect: 'manual' });

  function expectIndex(res: Response, body: string) {
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    expect(res.headers.get('cache-control')).toBe('no-cache');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('referrer-policy')).toBe('no-referrer');
    expect(res.headers.get('x-frame-options')).toBe('DENY');
    expect(body).toBe(INDEX);
  }

  it('serves index.html at / with no-cache and the security headers', async () => {
    const res = await get(`${t.url}/`);
    expectIndex(res, await res.text());
    // Without an Accept header (curl), / is the dashboard too.
    const bare = await fetch(`${t.url}/`, { headers: { accept: '*/*' } });
    expectIndex(bare, await bare.text());
  });

  it("answers the dashboard's own routes with index.html, so a reload or a bookmark of /tasks/42 works", async () => {
    for (const page of ['/tasks/42', '/runs?status=FAILED', '/datasources/new', '/index.html']) {
      const res = await get(`${t.url}${page}`);
      expectIndex(res, await res.text());
    }
    const head = await get(`${t.url}/tasks/42`, HTML, 'HEAD');
    expect(head.status).toBe(200);
    expect(head.headers.get('cache-control')).toBe('no-cache');
  });

  it('serves hashed assets with long immutable caching, and a missing asset as 404, never index.html', async () => {
    const res = await get(`${t.url}/assets/index-3f2a9c.js`, { accept: '*/*' });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/javascript/);
    expect(res.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(await res.text()).toBe(ASSET);

    for (const missing of ['/assets/index-0ld0ld.js', '/assets/', '/assets', '/assets/nested/app.css']) {
      const res404 = await get(`${t.url}${missing}`);
      expect(res404.status, missing).toBe(404);
      expect(await res404.text()).not.toContain('<div id="app">');
    }
  });

  it('serves the other files of the build, revalidated each time', async () => {
    const res = await get(`${t.url}/favicon.svg`, { accept: 'image/*' });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^image\/svg\+xml/);
    expect(res.headers.get('cache-control')).toBe('no-cache');
  });

  it("leaves the API and the server's own routes alone, and answers no other method or media type", async () => {
    const health = await get(`${t.url}/healthz`);
    expect(await health.json()).toMatchObject({ status: 'ok' });
    const ready = await get(`${t.url}/readyz`);
    expect(await ready.json()).toMatchObject({ status: 'ready' });
    const log = await get(`${t.url}/runs/${randomUUID()}/log`);
    expect(log.status).toBe(401);
    expect(await log.text()).not.toContain('<div id="app">');
    for (const api of ['/graphql', '/graphql/anything', '/healthz/more']) {
      const res = await get(`${t.url}${api}`);
      expect(await res.text(), api).not.toContain('<div id="app">');
    }
    const post = await get(`${t.url}/tasks/42`, HTML, 'POST');
    expect(post.status).toBe(404);
    const json = await get(`${t.url}/tasks/42`, { accept: 'application/json' });
    expect(json.status).toBe(404);
  });

  it('answers 503 with how to build it while the folder has no index.html, after one warning at start', async () => {
    const other = await startTestApp({ databaseUrl: db.url, env: { SLUICE_DASHBOARD_DIR: unbuilt } });
    try {
      const warnings = other.logs.lines.filter((l) => l.level === 40);
      expect(warnings).toEqual([
        expect.objectContaining({ dir: unbuilt, msg: expect.stringContaining('npm run build -w dashboard') }),
      ]);
      const res = await get(`${other.url}/`);
      expect(res.status).toBe(503);
      expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
      expect(await res.text()).toContain('npm run build -w dashboard');
      // The API works all the same.
      expect((await get(`${other.url}/healthz`)).status).toBe(200);

      // Built while the server runs: the next page load gets it.
      await writeFile(path.join(unbuilt, 'index.html'), INDEX);
      const later = await get(`${other.url}/tasks`);
      expectIndex(later, await later.text());
      expect(other.logs.lines.filter((l) => l.level === 40)).toHaveLength(1);
    } finally {
      await other.stop();
    }
  });
});
