// `npm run test:e2e`: the end-to-end tests of test/e2e against a real Cluster API management
// cluster. CAPD binds fixed ports, so only one file runs at a time; they are slow (minutes).
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/e2e/**/*.test.ts'],
    fileParallelism: false,
    testTimeout: 600_000,
    hookTimeout: 900_000,
    pool: 'forks',
  },
});
