import { readFile } from 'node:fs/promises';
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN, startTestApp, type TestApp } from '../support/app.js';
import { dashboardBuild, launchBrowser, openPage, screenshot, signInThroughPage } from '../support/browser.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';
import { gqlData } from '../support/graphql.js';

const SHOTS = 'runs';

/** Prints `rows` rows at `rate` rows per second: a run that lasts while the page watches it. */
const SLOW_JOB = (rows: number, rate: number) => `
env {
  job.mode = "BATCH"
  read_limit.rows_per_second = ${rate}
}
source {
  FakeSource {
    row.num = ${rows}
    schema = { fields { name = string, age = int } }
  }
}
sink {
  Console {}
}
`;

/** Fails in its sink: it wants more rows than the source makes. */
const FAILING_JOB = `
env { job.mode = "BATCH" }
source { FakeSource { row.num = 3, schema = { fields { name = string } } } }
sink { Assert { rules { row_rules = [ { rule_type = MIN_ROW, rule_value = 10 } ] } } }
`;

// A browser scenario does real work (builds, runs, screenshots in both themes); other test files
// share the two cores meanwhile, so each gets more time than the 60 s default.
describe(
  'dashboard: the runs list and a run page follow runs live; cancel, rerun and the log tools work',
  { timeout: 150_000 },
  () => {
    let db: TestDatabase;
    let app: TestApp;
    let browser: Browser;
    let page: Page;
    let consoleErrors: string[];
    let workspaceId: string;

    const createTask = async (name: string, content: string) =>
      (
        await gqlData<{ createTask: { id: string } }>(
          app.url,
          'mutation($i: CreateTaskInput!) { createTask(input: $i) { id } }',
          { i: { workspaceId, name, content } },
          app.token,
        )
      ).createTask.id;
    const startRun = async (taskId: string) =>
      (
        await gqlData<{ startRun: { id: string } }>(
          app.url,
          'mutation($i: StartRunInput!) { startRun(input: $i) { id } }',
          { i: { taskId } },
          app.token,
        )
      ).startRun.id;
    const status = (locator = page.locator('[data-test="run-status"]').first()) => locator.getAttribute('data-status');

    beforeAll(async () => {
      const [dashboardDir, database] = await Promise.all([dashboardBuild(), createTestDatabase()]);
      db = database;
      app = await startTestApp({
        databaseUrl: db.url,
        env: { SLUICE_DASHBOARD_DIR: dashboardDir, SLUICE_ENGINE_STANDBY_WORKERS: '1', SLUICE_CANCEL_GRACE_MS: '3000' },
      });
      workspaceId = (await gqlData<{ workspaces: { id: string }[] }>(app.url, '{ workspaces { id } }', {}, app.token))
        .workspaces[0]!.id;
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
      await db?.drop();
    });

    it('shows a run started elsewhere at the top of the list and changes its status in place, then cancels it', async () => {
      const taskId = await createTask('slow-printer', SLOW_JOB(400, 40));
      await page.locator('[data-nav="runs"]').click();
      await page.waitForURL('**/runs');
      await page.waitForLoadState('networkidle');

      const runId = await startRun(taskId);
      const row = page.locator(`[data-test="run-row"][data-id="${runId}"]`);
      await expect.poll(() => row.getAttribute('data-status'), { timeout: 15_000 }).toBe('RUNNING');
      await screenshot(page, SHOTS, 'runs-list-live');

      await row.locator('a').first().click();
      await page.waitForURL(`**/runs/${runId}**`);
      await expect.poll(() => page.locator('[data-test="run-log-line"]').count()).toBeGreaterThan(3);
      await page.locator('[data-test="run-cancel"]').click();
      await page.locator('[data-test="run-cancel-confirm"]').click();
      await expect.poll(() => status(), { timeout: 20_000 }).toBe('CANCELLED');

      await page.goBack();
      await expect.poll(() => row.getAttribute('data-status')).toBe('CANCELLED');
    });

    it('reruns a run as a new run of the same version, which the page follows to SUCCEEDED', async () => {
      const taskId = await createTask('quick-printer', SLOW_JOB(30, 15));
      const first = await startRun(taskId);
      await page.goto(`/runs/${first}`);
      await expect.poll(() => status(), { timeout: 20_000 }).toBe('SUCCEEDED');
      await page.locator('[data-test="run-rerun"]').click();
      await page.waitForURL((url) => url.pathname.startsWith('/runs/') && !url.pathname.endsWith(first));
      await expect.poll(() => status(), { timeout: 20_000 }).toBe('SUCCEEDED');
      await expect.poll(() => page.locator('[data-test="run-log-line"]').count()).toBeGreaterThan(30);
      await page.locator('.n-tabs-tab', { hasText: 'Metrics' }).click();
      await expect.poll(() => page.locator('[data-test="run-rows-written"]').getAttribute('data-value')).toBe('30');
      await screenshot(page, SHOTS, 'run-metrics-rerun');
    });

    it('filters the log by level, searches it, jumps to the first error and downloads it', async () => {
      const taskId = await createTask('always-fails', FAILING_JOB);
      const runId = await startRun(taskId);
      await page.goto(`/runs/${runId}`);
      await expect.poll(() => status(), { timeout: 20_000 }).toBe('FAILED');
      await expect.poll(() => page.locator('[data-test="run-error"]').getAttribute('data-code')).toBeTruthy();
      const lines = page.locator('[data-test="run-log-line"]');
      await expect.poll(() => lines.count()).toBeGreaterThan(1);
      const all = await lines.count();

      await page.locator('[data-test="log-first-error"]').click();
      await expect
        .poll(() => page.locator('[data-test="run-log-line"][data-level="ERROR"]').count())
        .toBeGreaterThan(0);

      await page.locator('[data-test="log-level"]').click();
      await page.locator('.n-base-select-option', { hasText: 'ERROR' }).last().click();
      await expect.poll(() => lines.count()).toBeLessThan(all);
      const levels = await lines.evaluateAll((els) => els.map((el) => el.getAttribute('data-level')));
      expect(new Set(levels)).toEqual(new Set(['ERROR']));
      await screenshot(page, SHOTS, 'run-log-errors');

      await page.locator('[data-test="log-search"] input').fill('MIN_ROW');
      await expect.poll(() => page.locator('[data-test="log-search-count"]').textContent()).toMatch(/[1-9]/);

      const downloading = page.waitForEvent('download');
      await page.locator('[data-test="log-download"]').click();
      const download = await downloading;
      const text = await readFile(await download.path(), 'utf8');
      expect(text.split('\n').filter(Boolean).length).toBeGreaterThanOrEqual(all);
      expect(text).toContain('MIN_ROW');
      expect(consoleErrors).toEqual([]);
    });

    it('moves a list opened past its last page (an old link) to the last page', async () => {
      await startRun(await createTask('one-page', FAILING_JOB));
      await page.goto('/runs?page=40');
      await expect.poll(() => new URL(page.url()).searchParams.get('page'), { timeout: 10_000 }).toBeNull();
      await expect.poll(() => page.locator('[data-test="run-row"]').count()).toBeGreaterThan(0);

      await page.goto('/tasks?page=7');
      await expect.poll(() => new URL(page.url()).searchParams.get('page'), { timeout: 10_000 }).toBeNull();
      await expect.poll(() => page.locator('[data-test="task-row"]').count()).toBeGreaterThan(0);
    });
  },
);
