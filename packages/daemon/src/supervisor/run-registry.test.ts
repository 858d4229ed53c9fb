import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RpcError } from '@x/ipc';
import { runRecord, tempDir } from '../../test/helpers.js';
import { RECENT_RUNS_LISTED } from '../constants.js';
import { DAEMON_RPC_CODES } from '../errors.js';
import { PersistenceGuard } from '../persistence/persistence-guard.js';
import type { RunExit, RunRecord } from '../persistence/records.js';
import { RunStore } from '../persistence/run-store.js';
import { silentLogger } from '../process/logger.js';
import type { RunController } from './run-controller.js';
import { parkRun, storeBackoff } from './run-parking.js';
import { RunRegistry } from './run-registry.js';

/**
 * What the registry reads of a controller (its record, state and end), with `end()` to end
 * it: a RunController needs a launcher and a runner, which these tests are not about.
 */
function activeRun(record: RunRecord) {
  let end!: () => void;
  const ended = new Promise<void>((resolve) => (end = resolve));
  const run = { record, state: record.state, ended } as unknown as RunController;
  return { run, end };
}

const stoppedExit: RunExit = {
  reason: 'stopped',
  stopPhase: 'ipc',
  explanation: 'stopped',
  exitCode: 0,
  signal: null,
  stderrTail: '',
  evidence: {},
};

describe('RunRegistry (real SQLite file)', () => {
  let dir: ReturnType<typeof tempDir>;
  let store: RunStore;
  let registry: RunRegistry;

  beforeEach(() => {
    dir = tempDir('x-reg-');
    store = new RunStore(`${dir.path}/x.db`);
    registry = new RunRegistry({ store, persistence: new PersistenceGuard(silentLogger) });
  });
  afterEach(() => {
    store.close();
    dir.remove();
  });

  it('finds a run by id or name: the active one first, else the newest stored of that name', async () => {
    store.insertRun({ ...runRecord('r-old', 'web', 1), state: 'exited' });
    store.insertRun({ ...runRecord('r-new', 'web', 2), state: 'exited' });
    expect(registry.get('web')?.runId).toBe('r-new');
    expect(registry.get('r-old')?.runId).toBe('r-old');
    expect(registry.get('nothing')).toBeUndefined();

    const active = activeRun({ ...runRecord('r-live', 'web', 3), state: 'running' });
    registry.register(active.run);
    expect(registry.activeCount).toBe(1);
    expect(registry.get('web')?.runId).toBe('r-live');
    expect(registry.findActive('web')).toBe(active.run);
    expect(registry.findActive('r-live')).toBe(active.run);
    expect(registry.activeById('r-live')).toBe(active.run);
    expect(registry.findActive('r-old')).toBeUndefined();

    active.end();
    await active.run.ended;
    await Promise.resolve();
    expect(registry.activeCount).toBe(0);
    expect(registry.findActive('web')).toBeUndefined();
  });

  it('lists active and stored runs once each, newest first, ties by run id descending', () => {
    store.insertRun({ ...runRecord('r-a', 'a', 10), state: 'exited' });
    store.insertRun({ ...runRecord('r-b', 'b', 10), state: 'exited' });
    store.insertRun({ ...runRecord('r-c', 'c', 5), state: 'exited' });
    // Stored as starting, active as running: the active record wins.
    store.insertRun(runRecord('r-d', 'd', 20));
    registry.register(activeRun({ ...runRecord('r-d', 'd', 20), state: 'running' }).run);
    const listed = registry.list();
    expect(listed.map((run) => run.runId)).toEqual(['r-d', 'r-b', 'r-a', 'r-c']);
    expect(listed[0]?.state).toBe('running');
  });

  it(`lists the newest ${RECENT_RUNS_LISTED} stored runs, or all with \`all\``, () => {
    const count = RECENT_RUNS_LISTED + 5;
    for (let i = 0; i < count; i += 1) {
      store.insertRun({ ...runRecord(`r-${i}`, `n${i}`, i), state: 'exited' });
    }
    expect(registry.list()).toHaveLength(RECENT_RUNS_LISTED);
    expect(registry.list()[0]?.runId).toBe(`r-${count - 1}`);
    expect(registry.list({ all: true })).toHaveLength(count);
  });

  it('refuses a name an active run has (NAME_IN_USE, with the run), not a finished one', () => {
    store.insertRun({ ...runRecord('r-done', 'done', 1), state: 'exited' });
    registry.register(activeRun({ ...runRecord('r-busy', 'busy', 2), state: 'running' }).run);
    expect(() => registry.refuseNameInUse('done')).not.toThrow();
    let thrown: unknown;
    try {
      registry.refuseNameInUse('busy');
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(RpcError);
    expect(thrown).toMatchObject({
      code: DAEMON_RPC_CODES.NAME_IN_USE,
      message: expect.stringContaining('an agent named busy is already running (run r-busy)'),
      data: { name: 'busy', runId: 'r-busy' },
    });
  });

  it('makes run ids of the form r-<8 hex digits>, none the same', () => {
    const ids = new Set(Array.from({ length: 200 }, () => registry.newRunId()));
    expect(ids.size).toBe(200);
    for (const id of ids) {
      expect(id).toMatch(/^r-[0-9a-f]{8}$/);
    }
  });

  it('still shows a run that ended while writes waited for SQLite, until they are written', async () => {
    let waiting = 1;
    const waitingRegistry = new RunRegistry({
      store,
      persistence: {
        read: (_what, read) => read(),
        get waiting() {
          return waiting;
        },
      },
    });
    const active = activeRun({ ...runRecord('r-full', 'full', 1), state: 'exited' });
    waitingRegistry.register(active.run);
    active.end();
    await active.run.ended;
    await Promise.resolve();
    expect(waitingRegistry.activeCount).toBe(0);
    // SQLite has nothing of it (its writes are the ones waiting): the memory's record shows.
    expect(waitingRegistry.get('full')?.runId).toBe('r-full');
    expect(waitingRegistry.list().map((run) => run.runId)).toEqual(['r-full']);
    waiting = 0;
    expect(waitingRegistry.get('full')).toBeUndefined();
  });
});

describe('run parking (real SQLite file)', () => {
  let dir: ReturnType<typeof tempDir>;
  let store: RunStore;
  const deps = () => ({
    store,
    persistence: new PersistenceGuard(silentLogger),
    logger: silentLogger,
  });

  beforeEach(() => {
    dir = tempDir('x-park-');
    store = new RunStore(`${dir.path}/x.db`);
  });
  afterEach(() => {
    store.close();
    dir.remove();
  });

  it('stores a run as backoff with no restart time', () => {
    store.insertRun({ ...runRecord('r-1', 'a', 1), state: 'exited', endedAt: 5 });
    expect(storeBackoff(deps(), 'reopen run', 'r-1')).toEqual({
      state: 'backoff',
      endedAt: null,
      nextRestartAt: null,
    });
    expect(store.getRun('r-1')).toMatchObject({
      state: 'backoff',
      endedAt: null,
      nextRestartAt: null,
    });
  });

  it('parks a run the shutdown stopped when its policy restarts it, and only then', () => {
    const always = {
      ...runRecord('r-always', 'always', 1),
      state: 'exited' as const,
      exit: stoppedExit,
      options: {
        ...runRecord('r', 'r', 0).options,
        restart: { ...runRecord('r', 'r', 0).options.restart, mode: 'always' as const },
      },
    };
    const never = {
      ...always,
      runId: 'r-no',
      name: 'no',
      options: { ...always.options, restart: { ...always.options.restart, mode: 'no' as const } },
    };
    const crashed = {
      ...always,
      runId: 'r-crashed',
      name: 'crashed',
      exit: { ...stoppedExit, reason: 'crashed' as const, stopPhase: null },
    };
    for (const record of [always, never, crashed]) {
      store.insertRun(record);
    }
    expect(parkRun(deps(), always)).toMatchObject({ runId: 'r-always', state: 'backoff' });
    expect(store.getRun('r-always')?.state).toBe('backoff');
    expect(parkRun(deps(), never)).toBe(never);
    expect(store.getRun('r-no')?.state).toBe('exited');
    expect(parkRun(deps(), crashed)).toBe(crashed);
    expect(store.getRun('r-crashed')?.state).toBe('exited');
  });
});
