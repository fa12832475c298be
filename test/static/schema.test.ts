import 'reflect-metadata';
import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { renderSchemaSdl } from '../../server/src/graphql/schema.js';

describe('schema/schema.graphql', () => {
  it('is the schema the resolvers build (run `npm run schema` after changing the API)', async () => {
    const committed = await readFile(new URL('../../schema/schema.graphql', import.meta.url), 'utf8');
    expect(committed).toBe(await renderSchemaSdl());
  });
});
