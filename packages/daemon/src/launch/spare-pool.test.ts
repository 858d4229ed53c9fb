import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { Emitter, type RunnerMessage } from '@x/ipc';
import type { LaunchedRunner, RunnerExit } from './runner-launcher.js';
import type { SpareKey } from './spare-key.js';
import {
  SPARE_MAX_QUICK_DEATHS,
  SPARE_QUICK_DEATH_MS,
  SPARE_REFILL_AFTER_HANDOVER_MAX_MS,
  SparePool,
} from './spare-pool.js';

/** A fake runner whose exit the test decides; SIGKILL ends it. */
interface FakeRunner extends LaunchedRunner {
  key: SpareKey;
  signals: string[];
  end(exit?: Partial<RunnerExit>): void;
  /** Its channel delivers a `ready` message, as a runner that got `init` sends. */
  ready(): void;
}

function harness(size = 1, retryInitialMs?: number) {
  let clock = 1_000;
  let nextPid = 100;
  const spawned: FakeRunner[] = [];
  const warnings: string[] = [];
  const pool = new SparePool({
    size,
    key: { codec: 'jsonl', cwd: '/' },
    logger: { info() {}, warn: (message) => warnings.push(message), error() {} },
    now: () => clock,
    ...(retryInitialMs === undefined ? {} : { retryInitialMs }),
    spawn(key) {
      let end!: (exit: RunnerExit) => void;
      const exited = new Promise<RunnerExit>((resolve) => (end = resolve));
      const messages = new Emitter<RunnerMessage>();
      const closes = new Emitter<Error | undefined>();
      const runner: FakeRunner = {
        key,
        pid: nextPid++,
        pgid: undefined,
        channel: {
          onMessage: messages.event,
          onClose: closes.event,
        } as unknown as LaunchedRunner['channel'],
        ready: () => messages.fire({ type: 'ready', protocolVersion: 1, codec: 'jsonl' }),
        stdout: null,
        stderr: null,
        exited,
        signals: [],
        signal(signal) {
          runner.signals.push(signal);
          end({ exitCode: null, signal });
          return true;
        },
        end: (exit = {}) => end({ exitCode: 1, signal: null, ...exit }),
      };
      spawned.push(runner);
      return runner;
    },
  });
  const tick = () => new Promise((resolve) => setImmediate(resolve));
  return {
    pool,
    spawned,
    warnings,
    tick,
    advance: (ms: number) => (clock += ms),
  };
}

describe('SparePool', () => {
  it('starts its spares in the background, not in the constructor', async () => {
    const { spawned, tick } = harness(2);
    expect(spawned).toHaveLength(0);
    await tick();
    expect(spawned).toHaveLength(2);
  });

  it('hands over a spare of the same key and refills once the runner handed over is ready', async () => {
    const { pool, spawned, tick } = harness();
    await tick();
    const taken = pool.take({ codec: 'jsonl', cwd: '/' });
    expect(taken).toBe(spawned[0]);
    expect(pool.status).toMatchObject({ handedOver: 1, idlePids: [] });
    await tick();
    // Not while the runner handed over starts up: the two would share the CPU.
    expect(spawned).toHaveLength(1);
    spawned[0].ready();
    await tick();
    expect(spawned).toHaveLength(2);
    expect(pool.status.idlePids).toEqual([spawned[1].pid]);
  });

  it('refills after a handover within SPARE_REFILL_AFTER_HANDOVER_MAX_MS when no ready comes', async () => {
    const { pool, spawned, tick } = harness();
    await tick();
    pool.take({ codec: 'jsonl', cwd: '/' });
    await tick();
    expect(spawned).toHaveLength(1);
    await sleep(SPARE_REFILL_AFTER_HANDOVER_MAX_MS + 50);
    await tick();
    expect(spawned).toHaveLength(2);
  });

  it('a spec of another cwd or codec gets none; the spares follow it', async () => {
    const { pool, spawned, tick } = harness();
    await tick();
    expect(pool.take({ codec: 'jsonl', cwd: '/tmp' })).toBeUndefined();
    await tick();
    // The / spare is killed and replaced by a /tmp one.
    expect(spawned[0].signals).toEqual(['SIGKILL']);
    expect(spawned[1].key).toEqual({ codec: 'jsonl', cwd: '/tmp' });
    await tick();
    expect(pool.status.died).toBe(0);
    expect(pool.take({ codec: 'msgpack', cwd: '/tmp' })).toBeUndefined();
    expect(pool.take({ codec: 'jsonl', cwd: '/tmp' })).toBe(spawned[1]);
  });

  it('a spare that dies is replaced', async () => {
    const { pool, spawned, tick } = harness();
    await tick();
    spawned[0].end();
    await tick();
    await tick();
    expect(spawned).toHaveLength(2);
    expect(pool.status).toMatchObject({ state: 'active', died: 1, idlePids: [spawned[1].pid] });
  });

  it(`${SPARE_MAX_QUICK_DEATHS} quick deaths in a row stop the pre-starting, and the log says why`, async () => {
    const { pool, spawned, warnings, tick } = harness();
    for (let i = 0; i < SPARE_MAX_QUICK_DEATHS; i += 1) {
      await tick();
      spawned[i].end({ exitCode: 78 });
      await tick();
    }
    await tick();
    expect(spawned).toHaveLength(SPARE_MAX_QUICK_DEATHS);
    expect(pool.status.state).toBe('disabled');
    expect(pool.status.disabledWhy).toContain('last: exit code 78');
    expect(warnings).toHaveLength(1);
    expect(pool.take({ codec: 'jsonl', cwd: '/' })).toBeUndefined();
    await tick();
    expect(spawned).toHaveLength(SPARE_MAX_QUICK_DEATHS);
  });

  it('a launch in a directory that does not exist does not move the spares there', async () => {
    const { pool, spawned, tick } = harness();
    await tick();
    expect(
      pool.take({ codec: 'jsonl', cwd: '/tmp/x-deleted-cwd-that-is-not-there' }),
    ).toBeUndefined();
    await tick();
    expect(spawned).toHaveLength(1);
    expect(spawned[0].signals).toEqual([]);
    expect(pool.status.key).toEqual({ codec: 'jsonl', cwd: '/' });
  });

  it('a disabled pool tries again after its backoff, and twice as late after another failure', async () => {
    const { pool, spawned, warnings, tick } = harness(1, 30);
    for (let i = 0; i < SPARE_MAX_QUICK_DEATHS; i += 1) {
      await tick();
      spawned[i].end({ exitCode: 1 });
      await tick();
    }
    expect(pool.status.state).toBe('disabled');
    expect(warnings[0]).toMatch(/tries again in 30 ms/);
    await new Promise((resolve) => setTimeout(resolve, 60));
    await tick();
    expect(pool.status.state).toBe('active');
    expect(spawned).toHaveLength(SPARE_MAX_QUICK_DEATHS + 1);
    // One more quick death disables it again, now for 60 ms.
    spawned.at(-1)!.end({ exitCode: 1 });
    await tick();
    expect(pool.status.state).toBe('disabled');
    expect(warnings[1]).toMatch(/tries again in 60 ms/);
    await pool.close();
  });

  it('a spare that lived longer than the quick-death window resets the count', async () => {
    const { pool, spawned, tick, advance } = harness();
    for (let i = 0; i < 2 * SPARE_MAX_QUICK_DEATHS; i += 1) {
      await tick();
      if (i % 2 === 1) {
        advance(SPARE_QUICK_DEATH_MS);
      }
      spawned[i].end();
      await tick();
    }
    expect(pool.status.state).toBe('active');
  });

  it('close() kills the idle spares, starts no more, and is idempotent', async () => {
    const { pool, spawned, tick } = harness(2);
    await tick();
    await pool.close();
    await pool.close();
    expect(spawned.map((runner) => runner.signals)).toEqual([['SIGKILL'], ['SIGKILL']]);
    expect(pool.status).toMatchObject({ state: 'closed', idlePids: [], died: 0 });
    expect(pool.take({ codec: 'jsonl', cwd: '/' })).toBeUndefined();
    await tick();
    expect(spawned).toHaveLength(2);
  });

  it('a spare handed over is not killed by close()', async () => {
    const { pool, spawned, tick } = harness();
    await tick();
    pool.take({ codec: 'jsonl', cwd: '/' });
    await pool.close();
    expect(spawned[0].signals).toEqual([]);
  });
});
