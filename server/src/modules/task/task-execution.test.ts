import { describe, expect, it } from 'vitest';
import type { Datasource } from '../datasource/index.js';
import type { JobConfig } from '../job-config/index.js';
import { datasourceOptions, resolveDatasources } from './task-execution.js';

const ds = (over: Partial<Datasource>) =>
  ({ id: 'd1', name: 'warehouse', type: 'POSTGRESQL', workspaceId: 'w', ...over }) as Datasource;

describe('resolveDatasources', () => {
  it('fills a Jdbc block from its datasource in SeaTunnel terms, keeping what the block sets itself', async () => {
    const config: JobConfig = {
      env: {},
      source: [{ plugin: 'Jdbc', options: { datasource: 'Warehouse', query: 'select 1', user: 'override' } }],
      transform: [],
      sink: [{ plugin: 'Console', options: {} }],
      other: {},
    };
    const resolved = await resolveDatasources(config, [ds({})], () =>
      Promise.resolve({ host: 'db', port: 5432, database: 'dw', user: 'etl', password: 's3cret' }),
    );
    expect(resolved.source[0]!.options).toEqual({
      url: 'jdbc:postgresql://db:5432/dw',
      driver: 'org.postgresql.Driver',
      user: 'override',
      password: 's3cret',
      query: 'select 1',
    });
    expect(config.source[0]!.options.datasource).toBe('Warehouse'); // the stored config is untouched
  });

  it('gives MySQL its URL and driver class, LOCAL_FILE its path, and fails clearly on a vanished datasource', async () => {
    expect(datasourceOptions('MYSQL', { host: 'h', port: 3306, user: 'u' })).toEqual({
      url: 'jdbc:mysql://h:3306',
      driver: 'com.mysql.cj.jdbc.Driver',
      user: 'u',
    });
    expect(datasourceOptions('LOCAL_FILE', { path: '/data/in' })).toEqual({ path: '/data/in' });
    const config: JobConfig = {
      env: {},
      source: [],
      transform: [],
      sink: [{ plugin: 'Jdbc', options: { datasource: 'gone' } }],
      other: {},
    };
    await expect(resolveDatasources(config, [ds({})], () => Promise.resolve({}))).rejects.toThrow(
      'datasource "gone" of Jdbc no longer exists',
    );
  });
});
