import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { renderConfigTable } from '../../server/src/config.js';

const cells = (table: string) =>
  table
    .trim()
    .split('\n')
    .filter((row) => !/^\|[\s|:-]+\|$/.test(row))
    .map((row) =>
      row
        .slice(1, -1)
        .split(/(?<!\\)\|/)
        .map((c) => c.trim()),
    );

const read = (p: string) => readFile(new URL(`../../${p}`, import.meta.url), 'utf8');

describe('README.md', () => {
  it('opens with the set-up a new user runs: npm install, npm start, npm test', async () => {
    const readme = await read('README.md');
    const install = readme.indexOf('npm install');
    const start = readme.indexOf('npm start');
    const test = readme.indexOf('npm test');
    expect(install).toBeGreaterThan(0);
    expect(install).toBeLessThan(start);
    expect(start).toBeLessThan(test);
    expect(test).toBeLessThan(readme.indexOf('## Configuration'));
  });

  it('documents exactly the settings of config.ts (run `npm run docs:config` after changing them)', async () => {
    const readme = await read('README.md');
    const match = /<!-- config:start[^>]*-->\n([\s\S]*?)\n<!-- config:end -->/.exec(readme);
    expect(match, 'README.md lacks the generated configuration section').not.toBeNull();
    // Compared cell by cell: Prettier may pad the columns.
    expect(cells(match![1]!)).toEqual(cells(renderConfigTable()));
  });

  it('has a short README in every top folder', async () => {
    for (const dir of ['server', 'dashboard', 'schema', 'test', 'docker', 'docs']) {
      expect((await read(`${dir}/README.md`)).length, `${dir}/README.md`).toBeGreaterThan(100);
    }
  });
});
