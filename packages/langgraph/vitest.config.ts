import { defineConfig } from 'vitest/config';

// Vitest 4 (not the workspace's 3): @langchain/langgraph-checkpoint-validation needs it, and
// runs under globals (its specs call describe/beforeAll unimported).
export default defineConfig({
  test: {
    globals: true,
    include: ['test/**/*.test.ts', 'src/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
  },
});
