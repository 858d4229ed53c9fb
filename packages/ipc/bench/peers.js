import { fork, spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { getCodec, validateRunnerMessage } from '@x/ipc';
import { createStreamChannel } from '@x/ipc/node';

/** The four transports compared, in table order. */
export const TRANSPORTS = ['x-jsonl', 'x-msgpack', 'node-json', 'node-advanced'];

const here = (file) => fileURLToPath(new URL(file, import.meta.url));

/**
 * A parent-side end of one transport to an echo child.
 * @typedef {object} Peer
 * @property {string} name
 * @property {(message: object) => void} send
 * @property {((message: any) => void) | undefined} listener  where replies go
 * @property {() => number | undefined} cpuUs  CPU time the child used so far (µs), Linux only
 * @property {() => Promise<void>} close  ends the channel and waits for the child to exit
 */

/**
 * Starts an echo child for `name` and returns the parent's end.
 * `x-*`: `spawn` with the channel on fd 3 (as the x daemon launches runners), a stream
 * channel with that codec, replies checked with `validateRunnerMessage`.
 * `node-*`: `fork` with Node's IPC channel and that serialization, nothing validated.
 * @param {string} name
 * @param {{ execArgv?: string[] }} [options]  extra Node flags for the child (profiling)
 * @returns {Promise<Peer>}
 */
export async function startPeer(name, options = {}) {
  const execArgv = options.execArgv ?? [];
  return name.startsWith('x-') ? startX(name, execArgv) : startNode(name, execArgv);
}

async function startX(name, execArgv) {
  const codec = name.slice(2);
  const child = spawn(process.execPath, [...execArgv, here('./x-echo-child.js'), codec], {
    stdio: ['ignore', 'inherit', 'inherit', 'pipe'],
  });
  const channel = createStreamChannel({
    readable: child.stdio[3],
    codec: getCodec(codec),
    validate: validateRunnerMessage,
  });
  const peer = {
    name,
    listener: undefined,
    cpuUs: () => childCpuUs(child.pid),
    send(message) {
      channel.send(message).catch(abort);
    },
    async close() {
      const exited = once(child, 'exit');
      channel.close();
      await exited;
    },
  };
  channel.onMessage((message) => peer.listener?.(message));
  channel.onError(abort);
  await once(child, 'spawn');
  return peer;
}

async function startNode(name, execArgv) {
  const serialization = name === 'node-json' ? 'json' : 'advanced';
  const child = fork(here('./node-echo-child.js'), [], {
    serialization,
    execArgv,
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const peer = {
    name,
    listener: undefined,
    cpuUs: () => childCpuUs(child.pid),
    send(message) {
      child.send(message);
    },
    async close() {
      const exited = once(child, 'exit');
      child.disconnect();
      await exited;
    },
  };
  child.on('message', (message) => peer.listener?.(message));
  child.on('error', abort);
  await once(child, 'spawn');
  return peer;
}

/** Clock ticks per second of /proc/<pid>/stat times (USER_HZ, 100 on Linux). */
const USER_HZ = 100;

/** User + system CPU time of a child, from /proc (Linux); undefined elsewhere. */
function childCpuUs(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may hold spaces): utime and stime are 14 and 15.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1e6) / USER_HZ;
  } catch {
    return undefined;
  }
}

function abort(error) {
  process.stderr.write(`bench: transport failed: ${error.stack ?? error}\n`);
  process.exit(1);
}
