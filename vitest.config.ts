import { createRequire } from 'node:module';
import { configDefaults, defineConfig } from 'vitest/config';

const require = createRequire(import.meta.url);
const ALONE = 'test/integration/schedules-exactly-once.test.ts';

export default defineConfig({
  resolve: {
    // graphql 16 ships CJS (main) and ESM (module) builds. Node loads the CJS one for Apollo and
    // type-graphql; without this alias vite would give our code the ESM one, and `instanceof
    // GraphQLError` or schema objects would not match across the two copies.
    alias: [{ find: /^graphql$/, replacement: require.resolve('graphql') }],
  },
  test: {
    globalSetup: ['test/support/global-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Integration files boot servers and their own database each: two at a time fits 2 cores.
    maxWorkers: 2,
    pool: 'forks',
    projects: [
      // The 60 schedules x 60 s exactly-once test loads both cores for a minute: it runs first, on
      // its own, so that it neither starves nor is starved by the browser and engine tests.
      {
        extends: true,
        test: { name: 'alone', include: [ALONE], sequence: { groupOrder: 0 } },
      },
      {
        extends: true,
        test: {
          name: 'suite',
          include: ['server/src/**/*.test.ts', 'test/**/*.test.ts'],
          exclude: [...configDefaults.exclude, ALONE],
          sequence: { groupOrder: 1 },
        },
      },
    ],
  },
});
