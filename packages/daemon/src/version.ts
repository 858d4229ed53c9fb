import { createRequire } from 'node:module';

/** Version of @x/daemon, from its package.json. */
export const DAEMON_VERSION: string = (
  createRequire(import.meta.url)('../package.json') as { version: string }
).version;
