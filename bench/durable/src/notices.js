import { connectRpc } from '@x/ipc/node';

/** How long to wait for an agent's notice before giving up: 60 s. */
const NOTICE_TIMEOUT_MS = 60_000;

/**
 * @typedef {object} Notices
 * @property {(name: string, count: number) => Promise<any[]>} take the first `count` payloads
 *   of `ctx.notify` from the run named `name` (waits for them; they are removed)
 * @property {() => void} close
 */

/**
 * Collects the agents' `ctx.notify` payloads, pushed by the daemon on a `monitor.subscribe`
 * subscription of its own connection (`types: ['notify']`): the agents report what they
 * measured this way, and nothing polls the daemon while they measure.
 * @param {{ socketPath: string }} daemon
 * @returns {Promise<Notices>}
 */
export async function collectNotices(daemon) {
  const connection = await connectRpc(daemon.socketPath, { timeoutMs: 5000 });
  /** @type {Map<string, any[]>} */
  const byName = new Map();
  /** @type {Set<() => void>} */
  const waiters = new Set();
  connection.onNotification('monitor.event', (/** @type {any} */ event) => {
    if (event.type !== 'notify' || typeof event.name !== 'string') {
      return;
    }
    const list = byName.get(event.name) ?? [];
    list.push(event.payload);
    byName.set(event.name, list);
    for (const wake of [...waiters]) {
      wake();
    }
  });
  await connection.request('monitor.subscribe', { types: ['notify'] });
  return {
    take(name, count) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const list = byName.get(name) ?? [];
          if (list.length >= count) {
            cleanup();
            resolve(list.splice(0, count));
          }
        };
        const timer = setTimeout(() => {
          cleanup();
          reject(
            new Error(
              `bench-durable: ${NOTICE_TIMEOUT_MS} ms without ${count} notice(s) from agent ${name}; see its log: x agent logs ${name}`,
            ),
          );
        }, NOTICE_TIMEOUT_MS);
        const cleanup = () => {
          clearTimeout(timer);
          waiters.delete(check);
        };
        waiters.add(check);
        check();
      });
    },
    close: () => connection.close(),
  };
}
