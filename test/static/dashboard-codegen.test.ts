import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { generate } from '@graphql-codegen/cli';
import * as prettier from 'prettier';
import { describe, expect, it } from 'vitest';

const DASHBOARD = path.resolve(import.meta.dirname, '../../dashboard');

describe('dashboard/src/gql', () => {
  it('is what codegen makes of schema/schema.graphql and the documents (run `npm run codegen` after changing either)', async () => {
    const { default: config } = await import('../../dashboard/codegen.js');
    const cwd = process.cwd();
    process.chdir(DASHBOARD);
    let outputs: { filename: string; content: string }[];
    try {
      outputs = (await generate({ ...config, cwd: DASHBOARD, hooks: {}, silent: true }, false)) as typeof outputs;
    } finally {
      process.chdir(cwd);
    }
    expect(outputs.length).toBeGreaterThan(0);
    const prettierOptions = await prettier.resolveConfig(path.join(DASHBOARD, 'src/gql/graphql.ts'));
    for (const output of outputs) {
      const file = path.resolve(DASHBOARD, output.filename);
      const expected = await prettier.format(output.content, { ...prettierOptions, filepath: file });
      const committed = await readFile(file, 'utf8').catch(() => '(missing)');
      expect(committed, `${path.relative(DASHBOARD, file)} drifted`).toBe(expected);
    }
  });
});
