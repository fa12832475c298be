import { mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Browser, Locator, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN, startTestApp, type TestApp } from '../support/app.js';
import { dashboardBuild, launchBrowser, openPage, screenshot, signInThroughPage } from '../support/browser.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';
import { gqlData } from '../support/graphql.js';
import { createTestMariaDb, type TestMariaDb } from '../support/mariadb.js';

const SHOTS = 'sync';
const ROWS = 5_000;

/** Opens a Naive UI select and picks the option showing `text`. */
async function choose(page: Page, select: Locator, text: string | RegExp): Promise<void> {
  await select.click();
  await page.locator('.n-base-select-option', { hasText: text }).last().click();
}

async function fillOption(page: Page, block: Locator, name: string, value: string): Promise<void> {
  const field = block.locator(`[data-test="option-${name}"]`);
  if ((await field.count()) === 0) {
    // Options the form does not show by default are added by name.
    await block.locator('[data-test="option-add"]').click();
    await page.keyboard.type(name);
    await page
      .locator('.n-base-select-option', { hasText: new RegExp(`^${name.replace('.', '\\.')}`) })
      .first()
      .click();
  }
  const input = field.locator('input, textarea').first();
  await input.fill(value);
  await input.press('Tab');
}

/** The run's status as the page shows it, and how many log lines it has rendered, sampled until it ends. */
async function watchRun(page: Page): Promise<{ status: string; lines: number }[]> {
  const seen: { status: string; lines: number }[] = [];
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    const status = (await page.locator('[data-test="run-status"]').first().getAttribute('data-status')) ?? '';
    const lines = await page.locator('[data-test="run-log-line"]').count();
    const last = seen.at(-1);
    if (!last || last.status !== status || last.lines !== lines) seen.push({ status, lines });
    if (['SUCCEEDED', 'FAILED', 'CANCELLED', 'TIMED_OUT'].includes(status)) return seen;
    await page.waitForTimeout(50);
  }
  // Say what the run had logged: the states alone do not tell where it stopped.
  const lines = await page.locator('[data-test="run-log-line"]').allTextContents();
  throw new Error(`the run did not end: ${JSON.stringify(seen)}; its log: ${lines.join(' | ')}`);
}

// A browser scenario does real work (builds, runs, screenshots in both themes); other test files
// share the two cores meanwhile, so each gets more time than the 60 s default.
describe(
  'dashboard: datasources, a task copying a table MariaDB → PostgreSQL, its live run',
  { timeout: 150_000 },
  () => {
    let meta: TestDatabase;
    let target: TestDatabase;
    let maria: TestMariaDb;
    let app: TestApp;
    let browser: Browser;
    let page: Page;
    let consoleErrors: string[];

    beforeAll(async () => {
      const [dashboardDir, metaDb, targetDb, mariaDb] = await Promise.all([
        dashboardBuild(),
        createTestDatabase(),
        createTestDatabase({ empty: true }),
        createTestMariaDb(),
      ]);
      meta = metaDb;
      target = targetDb;
      maria = mariaDb;
      await maria.query(
        `CREATE TABLE orders (id int PRIMARY KEY, customer varchar(40) NOT NULL, amount decimal(10,2) NOT NULL,
        placed_at datetime NOT NULL);
       SET SESSION max_recursive_iterations = ${ROWS + 1};
       INSERT INTO orders
       WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ${ROWS})
       SELECT i, CONCAT('customer-', i % 97), (i % 1000) / 10, TIMESTAMP('2024-01-01') + INTERVAL i MINUTE FROM n`,
      );
      app = await startTestApp({
        databaseUrl: meta.url,
        env: { SLUICE_DASHBOARD_DIR: dashboardDir, SLUICE_ENGINE_STANDBY_WORKERS: '1' },
      });
      browser = await launchBrowser();
      ({ page, consoleErrors } = await openPage(browser, app.url));
      await signInThroughPage(page, ADMIN.email, ADMIN.password);
    });

    afterEach(async ({ task }) => {
      if (task.result?.state !== 'fail') return;
      await screenshot(page, 'failures', task.name.slice(0, 60), false);
      if (consoleErrors.length) console.error(`console errors in the page:\n${consoleErrors.join('\n')}`);
    });

    afterAll(async () => {
      await browser?.close();
      await app?.stop();
      await Promise.all([meta?.drop(), target?.drop(), maria?.drop()]);
    });

    it('creates and tests a MariaDB and a PostgreSQL datasource through the generated forms', async () => {
      await page.locator('[data-nav="datasources"]').click();
      await page.locator('[data-test="datasource-new-empty"], [data-test="datasource-new"]').first().waitFor();
      await screenshot(page, SHOTS, 'datasources-empty');

      const pg = new URL(target.url);
      const sources = [
        {
          type: 'MySQL / MariaDB',
          name: 'shop-mariadb',
          fields: { host: maria.host, port: String(maria.port), database: maria.name, user: maria.user },
          sslMode: 'DISABLED',
        },
        {
          type: 'PostgreSQL',
          name: 'warehouse-pg',
          fields: { host: pg.hostname, port: pg.port, database: target.name, user: pg.username || 'postgres' },
          sslMode: 'disable',
        },
      ];
      for (const ds of sources) {
        await page.locator('[data-nav="datasources"]').click();
        await page.locator('[data-test="datasource-new"]').click();
        await page.waitForURL('**/datasources/new**');
        await choose(page, page.locator('[data-test="datasource-type-select"]'), ds.type);
        await page.locator('[data-test="datasource-name"] input').fill(ds.name);
        for (const [name, value] of Object.entries(ds.fields)) {
          await page.locator(`[data-test="datasource-field-${name}"] input`).first().fill(value);
        }
        await choose(page, page.locator('[data-test="datasource-field-sslMode"] .n-base-selection'), ds.sslMode);
        const result = page.locator('[data-test="datasource-test-result"]');
        if (ds.type.startsWith('MySQL')) {
          // A wrong password: the test says so, with its code, and nothing is saved.
          const password = page.locator('[data-test="datasource-field-password"] input').first();
          await password.fill('not-the-password');
          await page.locator('[data-test="datasource-test"]').click();
          await expect.poll(() => result.getAttribute('data-ok'), { timeout: 15_000 }).toBe('false');
          expect(await result.getAttribute('data-code')).toBe('AUTHENTICATION_FAILED');
          // The result is brought into view, below the fold of the long form as it is.
          const inView = () =>
            result.evaluate((el) => {
              const box = el.getBoundingClientRect();
              return box.top >= 0 && box.bottom <= window.innerHeight;
            });
          await expect.poll(inView).toBe(true);
          await screenshot(page, SHOTS, 'datasource-test-failed', false);
          await password.fill('');
        }
        await page.locator('[data-test="datasource-test"]').click();
        await expect.poll(() => result.getAttribute('data-ok'), { timeout: 15_000 }).toBe('true');
        await screenshot(page, SHOTS, `datasource-form-${ds.name}`);
        await page.locator('[data-test="datasource-save"]').click();
        await page.waitForURL(/\/datasources\/[0-9a-f-]{36}/);
      }

      // The list shows both with their types; testing from the list records a last test result.
      await page.locator('[data-nav="datasources"]').click();
      const rows = page.locator('[data-test="datasource-row"]');
      await expect.poll(() => rows.count()).toBe(2);
      const mariaRow = page.locator('[data-test="datasource-row"][data-name="shop-mariadb"]');
      await expect.poll(() => mariaRow.textContent()).toContain('MySQL / MariaDB');
      await mariaRow.locator('[data-test="datasource-row-test"]').click();
      await expect
        .poll(() => mariaRow.locator('[data-test="datasource-last-test"]').getAttribute('data-ok'), { timeout: 15_000 })
        .toBe('true');
      await screenshot(page, SHOTS, 'datasources-list');

      // The catalog browser walks schemas → tables → columns of the live database.
      await mariaRow.locator('a').first().click();
      await page.locator('.n-tabs-tab', { hasText: 'Catalog' }).click();
      await page.locator(`[data-test="catalog-schema"][data-name="${maria.name}"]`).click();
      await page.locator('[data-test="catalog-table"][data-name="orders"]').click();
      const columns = page.locator('[data-test="catalog-column"]');
      await expect.poll(() => columns.count()).toBe(4);
      expect(await page.locator('[data-test="catalog-column"][data-name="placed_at"]').textContent()).toContain(
        'datetime',
      );
      await screenshot(page, SHOTS, 'datasource-catalog');
    });

    it('builds the copy task in the form, runs it, and the run succeeds with every row in PostgreSQL', async () => {
      await page.locator('[data-nav="tasks"]').click();
      await page.locator('[data-test="task-new"]').first().click();
      await page.waitForURL('**/tasks/new');
      await page.locator('[data-test="task-name"] input').fill('orders-to-warehouse');
      await page.locator('[data-test="task-view-form"]').click();

      await page.locator('[data-test="task-add-source"]').click();
      const source = page.locator('[data-test="task-block"][data-kind="SOURCE"]').first();
      await choose(page, source.locator('[data-test="plugin-select"]'), /^Jdbc/);
      await choose(page, source.locator('[data-test="datasource-picker"]'), 'shop-mariadb');
      await fillOption(page, source, 'query', 'SELECT id, customer, amount, placed_at FROM orders');

      await page.locator('[data-test="task-add-sink"]').click();
      const sink = page.locator('[data-test="task-block"][data-kind="SINK"]').first();
      await choose(page, sink.locator('[data-test="plugin-select"]'), /^Jdbc/);
      await choose(page, sink.locator('[data-test="datasource-picker"]'), 'warehouse-pg');
      await fillOption(page, sink, 'database', target.name);
      await fillOption(page, sink, 'table', 'public.orders');
      await sink.locator('[data-test="option-generate_sink_sql"]').click();
      await screenshot(page, SHOTS, 'task-form');

      // The text view shows what the form built, as SeaTunnel HOCON.
      await page.locator('[data-test="task-view-text"]').click();
      const text = page.locator('[data-test="task-editor-text"] .cm-content');
      await expect.poll(() => text.textContent()).toMatch(/datasource = "?shop-mariadb"?/);
      await expect.poll(() => text.textContent()).toContain('generate_sink_sql = true');
      await screenshot(page, SHOTS, 'task-text');

      await page.locator('[data-test="task-save"]').click();
      await page.waitForURL(/\/tasks\/[0-9a-f-]{36}/);
      await expect.poll(() => page.locator('[data-test="task-version"]').textContent()).toBe('v1');

      await page.locator('[data-test="task-run-now"]').click();
      await page.locator('[data-test="run-start"]').click();
      await page.locator('[data-test="run-link"]').click();
      await page.waitForURL(/\/runs\/[0-9a-f-]{36}/);
      const seen = await watchRun(page);
      expect(seen.at(-1)?.status, JSON.stringify(seen)).toBe('SUCCEEDED');
      await expect.poll(() => page.locator('[data-test="run-log-line"]').count()).toBeGreaterThan(2);
      await screenshot(page, SHOTS, 'run-log');

      const [{ count } = { count: '' }] = await target.query<{ count: string }>('SELECT count(*) FROM public.orders');
      expect(Number(count)).toBe(ROWS);
      await page.locator('.n-tabs-tab', { hasText: 'Metrics' }).click();
      await expect
        .poll(() => page.locator('[data-test="run-rows-written"]').getAttribute('data-value'))
        .toBe(String(ROWS));
      await screenshot(page, SHOTS, 'run-metrics');
    });

    it('takes a task written as HOCON text, and the run page shows its log lines as they are written', async () => {
      await page.locator('[data-nav="tasks"]').click();
      await page.locator('[data-test="task-new"]').first().click();
      await page.locator('[data-test="task-name"] input').fill('orders-by-customer');
      await page.locator('[data-test="task-view-text"]').click();
      const editor = page.locator('[data-test="task-editor-text"] .cm-content');
      await editor.click();
      await page.keyboard.press('ControlOrMeta+a');
      await page.keyboard.press('Delete');
      // The source query sleeps 2 s first, so the run is still going when the page opens.
      await page.keyboard.insertText(
        [
          'env {',
          '  job.mode = "BATCH"',
          '}',
          'source {',
          '  Jdbc {',
          '    datasource = "shop-mariadb"',
          '    query = "SELECT customer, SUM(amount) AS total FROM orders JOIN (SELECT SLEEP(2) AS s) AS pause ON pause.s = 0 GROUP BY customer"',
          '  }',
          '}',
          'sink {',
          '  Jdbc {',
          '    datasource = "warehouse-pg"',
          '    generate_sink_sql = true',
          `    database = "${target.name}"`,
          '    table = "public.customer_totals"',
          '  }',
          '}',
        ].join('\n'),
      );
      // Diagnostics come back from validateTaskConfig; a valid config has none.
      await expect.poll(() => page.locator('[data-test="task-diagnostic"]').count()).toBe(0);
      await page.locator('[data-test="task-view-form"]').click();
      await expect
        .poll(() => page.locator('[data-test="task-block"][data-kind="SINK"]').getAttribute('data-plugin'))
        .toBe('Jdbc');
      await page.locator('[data-test="task-save"]').click();
      await page.waitForURL(/\/tasks\/[0-9a-f-]{36}/);

      await page.locator('[data-test="task-run-now"]').click();
      await page.locator('[data-test="run-start"]').click();
      await page.locator('[data-test="run-link"]').click();
      await page.waitForURL(/\/runs\/[0-9a-f-]{36}/);
      const seen = await watchRun(page);
      expect(seen.at(-1)?.status, JSON.stringify(seen)).toBe('SUCCEEDED');
      // Lines arrived while the page was open: it showed a running run with some lines, then more.
      const whileRunning = seen.filter((s) => s.status === 'RUNNING' && s.lines > 0);
      expect(whileRunning.length, JSON.stringify(seen)).toBeGreaterThan(0);
      expect(seen.at(-1)!.lines).toBeGreaterThan(whileRunning[0]!.lines);

      const [{ count } = { count: '' }] = await target.query<{ count: string }>(
        'SELECT count(*) FROM public.customer_totals',
      );
      expect(Number(count)).toBe(97);
      await page.locator('.n-tabs-tab', { hasText: 'Timeline' }).click();
      await expect.poll(() => page.locator('[data-test="timeline-item"]').count()).toBeGreaterThan(1);
      await screenshot(page, SHOTS, 'run-timeline');

      // The task's versions: an edit in the text saves version 2, and the two compare side by side.
      await page.locator('[data-test="run-task"] a, a[data-test="run-task"]').first().click();
      await page.waitForURL(/\/tasks\/[0-9a-f-]{36}/);
      await page.locator('[data-test="task-view-text"]').click();
      const content = page.locator('[data-test="task-editor-text"] .cm-content');
      await content.fill(
        ((await content.innerText()) ?? '').replace('GROUP BY customer', 'GROUP BY customer ORDER BY 1'),
      );
      await page.locator('[data-test="task-save"]').click();
      await expect.poll(() => page.locator('[data-test="task-version"]').textContent()).toBe('v2');
      await page.locator('.n-tabs-tab', { hasText: 'Versions' }).click();
      await expect.poll(() => page.locator('[data-test="version-row"]').count()).toBe(2);
      await page.locator('[data-test="version-compare"]').last().click();
      await page.locator('[data-test="version-diff"]').waitFor();
      await screenshot(page, SHOTS, 'task-versions');
      expect(consoleErrors).toEqual([]);
    });

    it('imports a folder of configs and reports on each file', async () => {
      const folder = path.join(tmpdir(), `sluice-import-${Date.now()}`);
      await mkdir(path.join(folder, 'nightly'), { recursive: true });
      const fake = (rows: number) =>
        `env { job.mode = "BATCH" }\nsource { FakeSource { row.num = ${rows}, schema { fields { id = int } } } }\nsink { Console {} }\n`;
      await writeFile(path.join(folder, 'hourly.conf'), fake(10));
      await writeFile(path.join(folder, 'nightly', 'daily.conf'), fake(100));
      await writeFile(path.join(folder, 'nightly', 'broken.conf'), 'env {\n  job.mode = "BATCH"\nsource {\n');
      try {
        await page.locator('[data-nav="tasks"]').click();
        await page.locator('[data-test="task-import"]').first().click();
        await page.waitForURL('**/tasks/import');
        await page.locator('[data-test="import-input"]').setInputFiles(folder);
        await expect.poll(() => page.locator('[data-test="import-file-row"]').count()).toBe(3);
        await page.locator('[data-test="import-submit"]').click();
        const results = page.locator('[data-test="import-result-row"]');
        await expect.poll(() => results.count()).toBe(3);
        const status = async (file: string) =>
          page.locator(`[data-test="import-result-row"][data-file$="${file}"]`).getAttribute('data-status');
        expect(await status('hourly.conf')).toBe('CREATED');
        expect(await status('daily.conf')).toBe('CREATED');
        expect(await status('broken.conf')).toBe('FAILED');
        // The broken file's report names the line and column.
        expect(await page.locator('[data-test="import-result-row"][data-file$="broken.conf"]').textContent()).toMatch(
          /line \d+/i,
        );
        await screenshot(page, SHOTS, 'task-import');

        // A schedule on one imported task shows as its next fire in the list.
        const call = <T>(query: string, variables?: Record<string, unknown>) =>
          gqlData<T>(app.url, query, variables, app.token);
        const ws = (await call<{ workspaces: { id: string }[] }>('{ workspaces { id } }')).workspaces[0]!.id;
        const hourly = await call<{ tasks: { items: { id: string }[] } }>(
          'query($w: ID!) { tasks(workspaceId: $w, filter: { search: "hourly" }) { items { id } } }',
          { w: ws },
        );
        const taskId = hourly.tasks.items[0]!.id;
        await call('mutation($i: CreateScheduleInput!) { createSchedule(input: $i) { id } }', {
          i: { taskId, cron: '0 2 * * *', timezone: 'Asia/Shanghai' },
        });
        await page.locator('[data-nav="tasks"]').click();
        await expect.poll(() => page.locator('[data-test="task-row"]').count()).toBe(4);
        const nextFire = (id: string) =>
          page.locator(`[data-test="task-row"][data-id="${id}"] [data-test="task-next-fire"]`);
        await expect.poll(() => nextFire(taskId).locator('time').getAttribute('datetime')).toMatch(/T18:00:00\.000Z$/);
        expect(await page.locator('[data-test="task-next-fire"]').filter({ hasText: 'Not scheduled' }).count()).toBe(3);
        await screenshot(page, SHOTS, 'tasks-list');
        await page.locator('[data-nav="runs"]').click();
        await expect.poll(() => page.locator('[data-test="run-row"]').count()).toBe(2);
        await screenshot(page, SHOTS, 'runs-list');
      } finally {
        await rm(folder, { recursive: true, force: true });
      }
    });
  },
);
