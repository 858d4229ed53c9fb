import { setTimeout as sleep } from 'node:timers/promises';

/**
 * Calls `probe` every `intervalMs` until it returns something other than undefined, and
 * returns that.
 * @template T
 * @param {() => Promise<T | undefined> | T | undefined} probe
 * @param {{ intervalMs?: number, timeoutMs?: number, what: string }} options
 * @returns {Promise<T>}
 */
export async function pollUntil(probe, { intervalMs = 10, timeoutMs = 15_000, what }) {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) {
      return value;
    }
    if (performance.now() > deadline) {
      throw new Error(`bench-lifecycle: timed out after ${timeoutMs} ms waiting for ${what}`);
    }
    await sleep(intervalMs);
  }
}
