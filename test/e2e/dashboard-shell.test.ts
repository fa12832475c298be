import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN, startTestApp, type TestApp } from '../support/app.js';
import { dashboardBuild, launchBrowser, openPage, screenshot, signInThroughPage } from '../support/browser.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';
import { gql, gqlData, login } from '../support/graphql.js';

const SHOTS = 'shell';

// A browser scenario does real work (builds, runs, screenshots in both themes); other test files
// share the two cores meanwhile, so each gets more time than the 60 s default.
describe('dashboard shell: login, navigation, workspaces, themes, languages', { timeout: 150_000 }, () => {
  let db: TestDatabase;
  let app: TestApp;
  let browser: Browser;

  beforeAll(async () => {
    const [dashboardDir, database] = await Promise.all([dashboardBuild(), createTestDatabase()]);
    db = database;
    app = await startTestApp({ databaseUrl: db.url, signIn: false, env: { SLUICE_DASHBOARD_DIR: dashboardDir } });
    browser = await launchBrowser();
  });

  afterAll(async () => {
    await browser?.close();
    await app?.stop();
    await db?.drop();
  });

  it('shows the first-admin hint until someone has signed in, and refuses a wrong password with its reason', async () => {
    const { context, page, consoleErrors } = await openPage(browser, app.url);
    await page.goto('/');
    await page.waitForURL(/\/login/);
    const hint = page.locator('[data-test="first-admin-hint"]');
    await expect.poll(() => hint.textContent()).toContain(ADMIN.email);
    await screenshot(page, SHOTS, 'login-first-start');

    await page.locator('[data-test="login-email"] input').fill(ADMIN.email);
    await page.locator('[data-test="login-password"] input').fill('not-the-password');
    await page.locator('[data-test="login-submit"]').click();
    await expect
      .poll(() => page.locator('[data-test="login-error"]').textContent())
      .toContain('Invalid email or password');
    expect(page.url()).toContain('/login');

    await page.locator('[data-test="login-password"] input').fill(ADMIN.password);
    await page.keyboard.press('Enter');
    await page.waitForURL('**/tasks');
    await context.close();

    // Someone has signed in now: the hint is gone for the next visitor.
    const next = await openPage(browser, app.url);
    await next.page.goto('/login');
    await next.page.locator('[data-test="login-email"]').waitFor();
    await next.page.waitForLoadState('networkidle');
    expect(await next.page.locator('[data-test="first-admin-hint"]').count()).toBe(0);
    await next.context.close();
    expect(consoleErrors.filter((e) => !e.includes('401') && !e.includes('Invalid email'))).toEqual([]);
  });

  it('answers deep links with the app, sends a signed-out visitor to login and back to where they were going', async () => {
    const second = await openPage(browser, app.url);
    const response = await second.page.goto('/runs?status=FAILED');
    expect(response?.status()).toBe(200);
    expect(response?.headers()['content-type']).toContain('text/html');
    await second.page.waitForURL(/\/login\?redirect=/);
    await second.page.locator('[data-test="login-email"] input').fill(ADMIN.email);
    await second.page.locator('[data-test="login-password"] input').fill(ADMIN.password);
    await second.page.locator('[data-test="login-submit"]').click();
    await second.page.waitForURL((url) => url.pathname === '/runs' && url.searchParams.get('status') === 'FAILED');

    // The token lives in this tab only: a new tab of the same browser profile must sign in again.
    const token = await second.page.evaluate(() => sessionStorage.getItem('sluice.session'));
    expect(token).toContain('token');
    const otherTab = await second.context.newPage();
    await otherTab.goto(`${app.url}/datasources`);
    await otherTab.waitForURL(/\/login/);
    await second.context.close();

    // Unknown paths get the app's own not-found page; unknown assets get a real 404.
    const third = await openPage(browser, app.url);
    await signInThroughPage(third.page, ADMIN.email, ADMIN.password);
    await third.page.goto('/no/such/page');
    await expect.poll(() => third.page.locator('.n-result').textContent()).toContain('/no/such/page');
    const asset = await fetch(`${app.url}/assets/no-such-file.js`);
    expect(asset.status).toBe(404);
    await third.context.close();
  });

  it('returns to the login page with a message when the session ends on the server', async () => {
    const { context, page } = await openPage(browser, app.url);
    await signInThroughPage(page, ADMIN.email, ADMIN.password);
    const stored = await page.evaluate(() => sessionStorage.getItem('sluice.session'));
    const { token } = JSON.parse(stored!) as { token: string };
    // Signing out elsewhere with the same token (or an admin revoking it) ends this session.
    await gqlData(app.url, 'mutation { logout }', {}, token);
    // The next request with it (here: navigating) finds it revoked; a live subscription may notice first.
    await page
      .locator('[data-nav="datasources"]')
      .click({ timeout: 3_000 })
      .catch(() => undefined);
    await page.waitForURL(/\/login/);
    await expect.poll(() => page.locator('[data-test="session-expired"]').isVisible()).toBe(true);
    await screenshot(page, SHOTS, 'login-expired', false);
    await context.close();
  });

  it('asks before a workspace switch would drop unsaved edits, and stays when told to', async () => {
    const token = await login(app.url, ADMIN.email, ADMIN.password);
    await gqlData(
      app.url,
      'mutation($input: CreateWorkspaceInput!) { createWorkspace(input: $input) { id } }',
      { input: { name: 'Staging', description: 'for the switch guard' } },
      token,
    );
    const { context, page } = await openPage(browser, app.url);
    await signInThroughPage(page, ADMIN.email, ADMIN.password);
    await page.goto('/tasks/new');
    await page.locator('[data-test="task-name"] input').fill('half-written');
    const switcher = page.locator('[data-test="workspace-switcher"]');
    const before = await switcher.textContent();

    await switcher.click();
    await page.locator('.n-base-select-option', { hasText: 'Staging' }).click();
    await page.locator('.n-dialog').getByRole('button', { name: 'Stay' }).click();
    expect(new URL(page.url()).pathname).toBe('/tasks/new');
    expect(await switcher.textContent()).toBe(before);
    expect(await page.locator('[data-test="task-name"] input').inputValue()).toBe('half-written');

    await switcher.click();
    await page.locator('.n-base-select-option', { hasText: 'Staging' }).click();
    await page.locator('.n-dialog').getByRole('button', { name: 'Leave' }).click();
    await page.waitForURL((url) => url.pathname === '/tasks');
    await expect.poll(() => switcher.textContent()).toContain('Staging');
    await context.close();
  });

  it('keeps a list search in the address of its own page only', async () => {
    const { context, page } = await openPage(browser, app.url);
    await signInThroughPage(page, ADMIN.email, ADMIN.password);
    await page.locator('[data-test="tasks-search"] input').fill('orders');
    await page.waitForURL((url) => url.searchParams.get('q') === 'orders');
    await page.reload();
    expect(await page.locator('[data-test="tasks-search"] input').inputValue()).toBe('orders');

    // Typing and leaving at once: the pending search must not land in the next page's address.
    await page.locator('[data-test="tasks-search"] input').fill('zzz');
    await page.locator('[data-nav="runs"]').click();
    await page.waitForURL((url) => url.pathname === '/runs');
    await page.waitForTimeout(600);
    expect(new URL(page.url()).searchParams.get('q')).toBeNull();
    await context.close();
  });

  it('switches workspace, theme and language, remembers them, and signs out', async () => {
    const token = await login(app.url, ADMIN.email, ADMIN.password);
    const created = await gqlData<{ createWorkspace: { id: string } }>(
      app.url,
      'mutation($input: CreateWorkspaceInput!) { createWorkspace(input: $input) { id } }',
      { input: { name: 'Analytics', description: 'second' } },
      token,
    );
    const { context, page, consoleErrors } = await openPage(browser, app.url);
    await signInThroughPage(page, ADMIN.email, ADMIN.password);

    await page.locator('[data-test="workspace-switcher"]').click();
    await page.locator('.n-base-select-option', { hasText: 'Analytics' }).click();
    await expect.poll(() => page.locator('[data-test="workspace-switcher"]').textContent()).toContain('Analytics');
    expect(await page.evaluate(() => localStorage.getItem('sluice.workspace'))).toBe(created.createWorkspace.id);

    await page.locator('[data-test="theme-switcher"]').click();
    await page.locator('.n-base-select-option', { hasText: 'Dark' }).click();
    await expect.poll(() => page.evaluate(() => document.documentElement.dataset.theme)).toBe('dark');
    // Naive UI's global style repaints the body a moment after the attribute changes (a transition).
    await expect
      .poll(() => page.evaluate(() => getComputedStyle(document.body).backgroundColor))
      .not.toBe('rgb(255, 255, 255)');

    await page.locator('[data-test="locale-switcher"]').click();
    await page.locator('.n-base-select-option', { hasText: '简体中文' }).click();
    await expect.poll(() => page.locator('[data-nav="tasks"]').textContent()).toBe('任务');
    await screenshot(page, SHOTS, 'shell-zh-CN', false);

    // A reload keeps the session (this tab), the workspace, the theme and the language.
    await page.reload();
    await expect.poll(() => page.locator('[data-nav="tasks"]').textContent()).toBe('任务');
    expect(await page.evaluate(() => document.documentElement.dataset.theme)).toBe('dark');
    await expect.poll(() => page.locator('[data-test="workspace-switcher"]').textContent()).toContain('Analytics');

    await page.locator('[data-test="locale-switcher"]').click();
    await page.locator('.n-base-select-option', { hasText: 'English' }).click();
    await page.locator('[data-test="theme-switcher"]').click();
    await page.locator('.n-base-select-option', { hasText: 'System' }).click();

    const { token: pageToken } = JSON.parse((await page.evaluate(() => sessionStorage.getItem('sluice.session')))!) as {
      token: string;
    };
    await page.locator('[data-test="user-menu"]').click();
    await page.locator('.n-dropdown-option', { hasText: 'Sign out' }).click();
    await page.waitForURL(/\/login/);
    await expect.poll(() => page.locator('.n-alert').first().textContent()).toContain('signed out');
    // The server ended that session too.
    const me = await gql(app.url, '{ me { id } }', {}, pageToken);
    expect(me.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    expect(consoleErrors).toEqual([]);
    await context.close();
  });
});
