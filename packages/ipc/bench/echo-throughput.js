import { setTimeout as sleep } from 'node:timers/promises';
import { turnMessage } from './payload.js';

/** Bytes kept in flight per direction; the window is this over the payload size, 1000 at most. */
const IN_FLIGHT_BYTES = 2 * 1024 * 1024;
const MAX_WINDOW = 1000;

/** Messages in flight for a payload of `size` bytes. */
export const windowFor = (size) =>
  Math.max(4, Math.min(MAX_WINDOW, Math.floor(IN_FLIGHT_BYTES / size)));

/**
 * Pipelined echo: keeps a window of turns in flight, sending one more per reply, and
 * counts replies between the end of `warmupMs` and `warmupMs + measureMs`. Waits for the
 * window to empty before returning. Also takes the CPU time both processes spent meanwhile:
 * on a machine whose cores are shared, CPU per message compares transports more steadily
 * than wall-clock throughput.
 * @param {import('./peers.js').Peer} peer
 * @returns {Promise<{ messagesPerSecond: number, cpuUsPerMessage: number | undefined }>}
 */
export async function measureEcho(peer, payload, size, { warmupMs, measureMs }) {
  const window = windowFor(size);
  let sent = 0;
  let received = 0;
  let sending = true;
  let idle;
  const emptied = new Promise((resolve) => {
    idle = resolve;
  });
  peer.listener = () => {
    received += 1;
    if (sending) {
      peer.send(turnMessage(sent++, payload));
    } else if (received === sent) {
      idle();
    }
  };
  for (let i = 0; i < window; i += 1) {
    peer.send(turnMessage(sent++, payload));
  }
  await sleep(warmupMs);
  const from = sample(peer, received);
  await sleep(measureMs);
  const to = sample(peer, received);
  sending = false;
  await emptied;
  peer.listener = undefined;
  const messages = to.received - from.received;
  return {
    messagesPerSecond: (messages * 1000) / (to.at - from.at),
    cpuUsPerMessage:
      to.childCpuUs === undefined || from.childCpuUs === undefined
        ? undefined
        : (to.parentCpuUs - from.parentCpuUs + to.childCpuUs - from.childCpuUs) / messages,
  };
}

function sample(peer, received) {
  const { user, system } = process.cpuUsage();
  return { at: performance.now(), received, parentCpuUs: user + system, childCpuUs: peer.cpuUs() };
}
