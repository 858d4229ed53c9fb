import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { tempHome, waitFor, x } from './helpers.js';

// The daemon the CLI starts loads prom-client (CommonJS, from @x/cli's node_modules, a symlink
// into pnpm's store) only with --metrics, after it has bound its socket. A plain stat of that
// socket once made Node 20's realpathSync stop following symlinks (nodejs/node#51142) and
// prom-client could not find its own dependency: the daemon exited at start-up.
describe('x daemon start --metrics', () => {
  const home = tempHome();
  afterAll(async () => {
    await x(home.path, ['daemon', 'stop']);
    home.remove();
  });

  it('serves Prometheus metrics on the port the daemon log names', async () => {
    const started = await x(home.path, ['daemon', 'start', '--metrics', '127.0.0.1:0']);
    expect(started.code, started.stderr).toBe(0);
    let url: string | undefined;
    await waitFor(() => {
      url = /serving metrics on (http:\S+)/.exec(
        readFileSync(`${home.path}/daemon.log`, 'utf8'),
      )?.[1];
      return url !== undefined;
    }, 5000);
    expect(url).toBeDefined();
    const response = await fetch(url!);
    expect(response.status).toBe(200);
    expect(await response.text()).toMatch(/^x_/m);
  });
});
