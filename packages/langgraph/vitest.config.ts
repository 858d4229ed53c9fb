import { defineConfig } from 'vitest/config';

// vite's defaultServerConditions, as in vitest.shared.ts: workspace packages resolve to their
// TypeScript source (`@x/source`); runners spawned by the tests use the built dist/.
const conditions = ['@x/source', 'module', 'node', 'development|production'];

// Vitest 4, not the workspace's 3 (so not vitest.shared.ts, typed for 3):
// @langchain/langgraph-checkpoint-validation needs it, and runs under globals (its specs call
// describe and beforeAll without importing them).
export default defineConfig({
  resolve: { conditions },
  ssr: { resolve: { conditions } },
  test: {
    globals: true,
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    // Real processes and sockets: a loaded 2-core machine needs generous bounds.
    testTimeout: 60_000,
    hookTimeout: 60_000,
    fileParallelism: false,
  },
});
