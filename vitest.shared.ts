import type { ViteUserConfig as UserConfig } from 'vitest/config';

// vite's defaultServerConditions, listed here because vite is not a direct dependency.
const defaultServerConditions = ['module', 'node', 'development|production'];

/**
 * Shared vitest settings for every package.
 *
 * Workspace packages resolve to their TypeScript source through the `@x/source`
 * export condition, so a test never runs against a stale `dist/`. Tests that spawn
 * real processes use the built `dist/` (turbo builds before it tests).
 */
export const sharedConfig: UserConfig = {
  resolve: { conditions: ['@x/source', ...defaultServerConditions] },
  ssr: { resolve: { conditions: ['@x/source', ...defaultServerConditions] } },
  test: {
    // Real processes and sockets: a loaded 2-core machine needs generous bounds.
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // Process-spawning suites compete for 2 cores: files run one at a time within a package,
    // and `pnpm test` runs two packages at a time (turbo --concurrency=2). Timing bounds in
    // tests are generous for that load.
    fileParallelism: false,
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
  },
} as UserConfig;
