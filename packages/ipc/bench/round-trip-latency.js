import { turnMessage } from './payload.js';

/**
 * Strict ping-pong: one turn in flight; times each round trip.
 * @param {import('./peers.js').Peer} peer
 * @returns {Promise<{ p50: number, p99: number, mean: number }>} microseconds
 */
export async function measureLatency(peer, payload, { warmup, count }) {
  const times = new Float64Array(count);
  let seq = 0;
  let started = 0;
  await new Promise((resolve) => {
    peer.listener = () => {
      const at = performance.now();
      const i = seq - warmup - 1;
      if (i >= 0) {
        times[i] = (at - started) * 1000;
      }
      if (i + 1 === count) {
        resolve();
        return;
      }
      started = performance.now();
      peer.send(turnMessage(seq++, payload));
    };
    started = performance.now();
    peer.send(turnMessage(seq++, payload));
  });
  peer.listener = undefined;
  times.sort();
  const mean = times.reduce((sum, t) => sum + t, 0) / count;
  return { p50: percentile(times, 0.5), p99: percentile(times, 0.99), mean };
}

/** Nearest-rank percentile of sorted values. */
function percentile(sorted, p) {
  return sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)];
}
