import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { inject } from 'vitest';

const run = promisify(execFile);
const ROOT = path.resolve(import.meta.dirname, '../..');

/** Debian's Chromium (`apt-get install chromium`); playwright-core drives it, never a downloaded browser. */
export const CHROMIUM = process.env.SLUICE_TEST_CHROMIUM ?? '/usr/bin/chromium';

/** Screenshots are test artifacts: test-results/screenshots/<file>/<name>.png (kept by CI, ignored by git). */
export const SCREENSHOTS = path.join(ROOT, 'test-results', 'screenshots');

/**
 * Builds the dashboard once per test run into a temporary folder (the tests never touch
 * dashboard/dist); parallel test files wait on the first one's build through a lock directory.
 */
export async function dashboardBuild(): Promise<string> {
  const outDir = path.join(tmpdir(), `sluice-dashboard-${inject('runId')}`);
  const done = path.join(outDir, '.built');
  const lock = `${outDir}.lock`;
  for (;;) {
    if (existsSync(done)) return outDir;
    try {
      await mkdir(lock);
      break;
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
  try {
    if (existsSync(done)) return outDir;
    const { stdout } = await run(
      process.execPath,
      [path.join(ROOT, 'node_modules/vite/bin/vite.js'), 'build', '--outDir', outDir, '--emptyOutDir'],
      { cwd: path.join(ROOT, 'dashboard'), maxBuffer: 16 * 1024 * 1024 },
    );
    const budget = /bundle budget: .*/.exec(stdout)?.[0];
    if (budget) process.stdout.write(`${budget}\n`);
    await writeFile(done, budget ?? '');
    return outDir;
  } finally {
    await rm(lock, { recursive: true, force: true });
  }
}

export async function launchBrowser(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`The browser tests need Chromium at ${CHROMIUM} (apt-get install -y chromium)`);
  }
  return chromium.launch({
    executablePath: CHROMIUM,
    // playwright-core gives each launch a fresh profile directory.
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-dev-shm-usage',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      '--disable-quic',
    ],
  });
}

export interface PageOptions {
  colorScheme?: 'light' | 'dark';
  locale?: string;
}

/** A new tab (own storage) with the console's errors collected: a page that logs errors fails its test. */
export async function openPage(
  browser: Browser,
  baseURL: string,
  options: PageOptions = {},
): Promise<{ context: BrowserContext; page: Page; consoleErrors: string[] }> {
  const context = await browser.newContext({
    baseURL,
    viewport: { width: 1440, height: 900 },
    colorScheme: options.colorScheme ?? 'light',
    locale: options.locale ?? 'en-US',
    acceptDownloads: true,
  });
  const page = await context.newPage();
  page.setDefaultTimeout(15_000);
  const consoleErrors: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') consoleErrors.push(message.text());
  });
  page.on('pageerror', (error) => consoleErrors.push(error.message));
  return { context, page, consoleErrors };
}

/** Saves the page as it is now and, with `bothThemes`, again in the other colour scheme. */
export async function screenshot(page: Page, folder: string, name: string, bothThemes = true): Promise<string[]> {
  const dir = path.join(SCREENSHOTS, folder);
  await mkdir(dir, { recursive: true });
  const files: string[] = [];
  const shoot = async (suffix: string) => {
    // Let transitions and charts settle before the picture.
    await page.waitForTimeout(350);
    const file = path.join(dir, `${name}${suffix}.png`);
    await page.screenshot({ path: file, fullPage: false });
    const { size } = await stat(file);
    if (size < 2_000) throw new Error(`screenshot ${file} is empty (${size} bytes)`);
    files.push(file);
  };
  if (!bothThemes) {
    await shoot('');
    return files;
  }
  const dark = await page.evaluate(() => document.documentElement.dataset.theme === 'dark');
  await shoot(dark ? '.dark' : '.light');
  await page.emulateMedia({ colorScheme: dark ? 'light' : 'dark' });
  await page.waitForFunction((wantDark) => (document.documentElement.dataset.theme === 'dark') === wantDark, !dark);
  // Naive UI fades colours over 0.3 s; on a busy machine that takes longer.
  await page.waitForTimeout(600);
  await shoot(dark ? '.light' : '.dark');
  await page.emulateMedia({ colorScheme: dark ? 'dark' : 'light' });
  return files;
}

/** Signs in through the login page as a user would. */
export async function signInThroughPage(page: Page, email: string, password: string): Promise<void> {
  await page.goto('/login');
  await page.locator('[data-test="login-email"] input').fill(email);
  await page.locator('[data-test="login-password"] input').fill(password);
  await page.locator('[data-test="login-submit"]').click();
  await page.waitForURL((url) => !url.pathname.startsWith('/login'));
}
