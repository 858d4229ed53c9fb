import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { setTimeout as sleep } from 'node:timers/promises';
import { isAlive, killQuietly } from './proc-memory.js';

/**
 * Starts a private pm2 God daemon (its own PM2_HOME under /tmp, so a pm2 the user runs is
 * never touched) through pm2's programmatic API, the way `pm2 start` does on first use.
 * Version checks and the pm2.io agent are switched off: they talk to the network, not to
 * processes. `close()` runs `pm2 kill` (stop every app, then the daemon), SIGKILLs whatever
 * is left (the daemon and every app pid passed to `track`) and removes the directory.
 */
export async function startPm2Daemon() {
  const home = mkdtempSync('/tmp/pm2-bl-');
  // Inherited by the God daemon, which pm2 spawns with this process's environment.
  process.env.PM2_DISABLE_VERSION_CHECK = 'true';
  process.env.PM2_NO_INTERACTION = 'true';
  process.env.PM2_DISCRETE_MODE = 'true';
  const { default: pm2Module } = await import('pm2');
  const pm2 = new pm2Module.custom({ pm2_home: home, daemon_mode: true });
  const api = {
    connect: promisify(pm2.connect.bind(pm2)),
    /** @type {(config: object) => Promise<any[]>} */
    start: promisify(pm2.start.bind(pm2)),
    /** @type {(name: string) => Promise<any>} */
    stop: promisify(pm2.stop.bind(pm2)),
    /** @type {(name: string) => Promise<any>} */
    delete: promisify(pm2.delete.bind(pm2)),
    /** @type {(name: string) => Promise<any[]>} */
    describe: promisify(pm2.describe.bind(pm2)),
    /** @type {() => Promise<any[]>} */
    list: promisify(pm2.list.bind(pm2)),
    killDaemon: promisify(pm2.killDaemon.bind(pm2)),
    /**
     * pm2's event bus (`pm2.launchBus`): `process:event` packets `{ event, process, at }`,
     * `at` being the God daemon's Date.now() when it notified the event (e.g. `online`).
     * @type {() => Promise<import('node:events').EventEmitter & { close: () => void }>}
     */
    launchBus: promisify(pm2.launchBus.bind(pm2)),
    disconnect: promisify(pm2.disconnect.bind(pm2)),
  };
  const appPids = new Set();
  let pid;
  const close = async () => {
    await Promise.race([
      api.killDaemon().catch(() => undefined),
      sleep(15_000, undefined, { ref: false }),
    ]);
    await Promise.race([
      api.disconnect().catch(() => undefined),
      sleep(2000, undefined, { ref: false }),
    ]);
    if (pid !== undefined) {
      for (let i = 0; i < 100 && isAlive(pid); i += 1) {
        await sleep(20);
      }
      killQuietly(pid);
    }
    for (const app of appPids) {
      killQuietly(-app);
      killQuietly(app);
    }
    rmSync(home, { recursive: true, force: true });
  };
  try {
    await api.connect();
    pid = Number(readFileSync(join(home, 'pm2.pid'), 'utf8'));
    return {
      home,
      pid,
      api,
      /** Remembers an app pid so that `close()` kills it if pm2 did not. */
      track: (/** @type {number | undefined} */ appPid) => {
        if (typeof appPid === 'number' && appPid > 0) {
          appPids.add(appPid);
        }
      },
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}
