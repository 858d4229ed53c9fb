import { spawn } from 'node:child_process';
import { summarize } from './stats.js';

// The smallest thing a runner could be: `node -e` writing one line on fd 3, the same kind
// of socketpair the daemon gives a runner (stdio 'pipe' on fd 3 is a Unix socketpair).
const FIRST_MESSAGE = `require('node:fs').writeSync(3, '{"type":"ready"}\\n')`;

/**
 * Spawn → first byte on fd 3 of a bare `node -e`, in ms, `samples` times in a row (after
 * `warmup` unrecorded runs): the floor that runner spawn → ready is compared to.
 * @param {{ samples: number, warmup: number }} options
 */
export async function measureBareNodeFloor({ samples, warmup }) {
  const times = [];
  for (let i = 0; i < warmup + samples; i += 1) {
    const ms = await spawnToFirstByte();
    if (i >= warmup) {
      times.push(ms);
    }
  }
  return summarize(times);
}

function spawnToFirstByte() {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, ['-e', FIRST_MESSAGE], {
      stdio: ['ignore', 'ignore', 'inherit', 'pipe'],
    });
    const fd3 = /** @type {import('node:stream').Readable} */ (child.stdio[3]);
    let elapsed;
    fd3.once('data', () => (elapsed = performance.now() - started));
    fd3.resume();
    child.once('error', reject);
    child.once('exit', (code) => {
      if (elapsed === undefined) {
        reject(new Error(`bench-lifecycle: bare node child exited (${code}) before writing fd 3`));
      } else {
        resolve(elapsed);
      }
    });
  });
}
