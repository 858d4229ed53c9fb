import type { MonitorEvent, PermissionRecord, RunRecord } from '@x/daemon';
import { describe, expect, it } from 'vitest';
import { RateWindow } from './rate-window.js';
import { filterRows, nextSort, sortRows, toRow, toRows, type TopRow } from './top-rows.js';
import {
  MAX_FINISHED,
  RECENT_EVENTS,
  applyEvent,
  applyList,
  applyPending,
  createTopState,
  type ListedRun,
} from './top-state.js';

const T0 = 1_800_000_000_000;

function run(fields: Partial<RunRecord> & { runId: string }): RunRecord {
  return {
    name: fields.runId,
    module: '/agents/a.mjs',
    params: {},
    options: {} as RunRecord['options'],
    launcher: 'subprocess',
    state: 'running',
    pid: 100,
    pgid: 100,
    createdAt: T0,
    readyAt: T0 + 500,
    endedAt: null,
    iterations: 0,
    lastSummary: null,
    attempt: 1,
    restarts: 0,
    nextRestartAt: null,
    lastReasons: [],
    exit: null,
    logPath: null,
    ...fields,
  };
}

function request(fields: Partial<PermissionRecord> = {}): PermissionRecord {
  return {
    runId: 'r-a',
    attempt: 1,
    requestId: 'p-1',
    tool: 'shell',
    input: null,
    rationale: 'list files',
    requestedAt: T0,
    decision: null,
    decidedBy: null,
    reason: null,
    decidedAt: null,
    expiresAt: null,
    ...fields,
  };
}

let nextId = 1;
function event(body: Record<string, unknown>, at = T0 + 1000): MonitorEvent {
  const fields = body as { run?: RunRecord; runId?: string };
  const runId = fields.runId ?? fields.run?.runId ?? null;
  return { id: nextId++, at, runId, name: runId, ...body } as unknown as MonitorEvent;
}

const iteration = (runId: string, finishedAt: number, usage: object | null = null) =>
  event({
    type: 'iteration_done',
    runId,
    iteration: { iteration: 1, status: 'ok', durationMs: 5, finishedAt, usage },
  });

describe('TopState: a list, then events', () => {
  it('a run_state event replaces the record; a new run appears; run_removed forgets it', () => {
    const state = createTopState(T0);
    applyList(state, [run({ runId: 'r-a' })]);
    applyEvent(state, event({ type: 'run_state', run: run({ runId: 'r-b', state: 'starting' }) }));
    applyEvent(state, event({ type: 'run_state', run: run({ runId: 'r-a', state: 'stopping' }) }));
    expect([...state.runs.values()].map((known) => [known.run.runId, known.run.state])).toEqual([
      ['r-a', 'stopping'],
      ['r-b', 'starting'],
    ]);
    applyEvent(state, event({ type: 'run_removed', runId: 'r-b' }));
    expect([...state.runs.keys()]).toEqual(['r-a']);
  });

  it('iteration_done counts iterations and adds usage; a later list replaces both', () => {
    const state = createTopState(T0);
    applyList(state, [{ ...run({ runId: 'r-a', iterations: 10 }), usage: null }]);
    applyEvent(state, iteration('r-a', T0 + 1000, { inputTokens: 100, outputTokens: 20 }));
    applyEvent(state, iteration('r-a', T0 + 2000, { inputTokens: 1, costUsd: 0.5 }));
    const row = toRow(state.runs.get('r-a')!, T0 + 3000, T0);
    // One report without a cost: the cost shown is a lower bound.
    expect(row).toMatchObject({ iterations: 12, tokens: 121, costUsd: 0.5, costPartial: true });
    const listed: ListedRun = {
      ...run({ runId: 'r-a', iterations: 13 }),
      usage: { inputTokens: 7, outputTokens: 0, costUsd: 0, calls: 1, callsWithoutCost: 1 },
    };
    applyList(state, [listed]);
    // Reports without a cost: tokens, but no cost to show; unknown, not nothing.
    expect(toRow(state.runs.get('r-a')!, T0 + 3000, T0)).toMatchObject({
      iterations: 13,
      tokens: 7,
      costUsd: null,
      costPartial: true,
    });
  });

  it('events at or below the last applied id (a resubscription overlap) are ignored', () => {
    const state = createTopState(T0);
    applyList(state, [run({ runId: 'r-a' })]);
    const once = iteration('r-a', T0 + 1000);
    applyEvent(state, once);
    applyEvent(state, once);
    expect(state.runs.get('r-a')!.iterations).toBe(1);
  });

  it('pending requests: agent.status seeds them, requests add, answers and the end of the run clear', () => {
    const state = createTopState(T0);
    applyList(state, [run({ runId: 'r-a' })]);
    applyPending(state, 'r-a', [request()]);
    applyEvent(
      state,
      event({ type: 'permission_request', runId: 'r-a', request: request({ requestId: 'p-2' }) }),
    );
    expect(toRow(state.runs.get('r-a')!, T0, T0).pending).toBe(2);
    applyEvent(
      state,
      event({
        type: 'permission_answer',
        runId: 'r-a',
        request: request({ decision: 'granted', decidedBy: 'client' }),
      }),
    );
    expect([...state.runs.get('r-a')!.pending.keys()]).toEqual(['1:p-2']);
    applyEvent(state, event({ type: 'run_state', run: run({ runId: 'r-a', state: 'exited' }) }));
    expect(state.runs.get('r-a')!.pending.size).toBe(0);
  });

  it(`keeps the newest ${RECENT_EVENTS} events of a run`, () => {
    const state = createTopState(T0);
    applyList(state, [run({ runId: 'r-a' })]);
    for (let i = 0; i < RECENT_EVENTS + 30; i += 1) {
      applyEvent(state, event({ type: 'log', runId: 'r-a', level: 'info', message: `line ${i}` }));
    }
    const recent = state.runs.get('r-a')!.recent;
    expect(recent).toHaveLength(RECENT_EVENTS);
    expect(recent.at(-1)?.text).toBe(`[info] line ${RECENT_EVENTS + 29}`);
  });

  it(`keeps every active run and the ${MAX_FINISHED} finished ones that ended last`, () => {
    const state = createTopState(T0);
    const runs = Array.from({ length: MAX_FINISHED + 10 }, (_, i) =>
      run({ runId: `r-${i}`, state: 'exited', endedAt: T0 + i }),
    );
    applyList(state, [run({ runId: 'r-live' }), ...runs]);
    expect(state.runs.size).toBe(MAX_FINISHED + 1);
    expect(state.runs.has('r-live')).toBe(true);
    expect(state.runs.has('r-0')).toBe(false);
    expect(state.runs.has(`r-${MAX_FINISHED + 9}`)).toBe(true);
  });
});

describe('toRow', () => {
  it.each([
    ['running', { pid: 100, uptimeMs: 2500, active: true }],
    ['backoff', { pid: null, uptimeMs: null, active: true }],
    ['exited', { pid: null, uptimeMs: null, active: false, perMinute: null }],
  ] as const)('a %s run', (state, expected) => {
    const known = createTopState(T0);
    applyList(known, [run({ runId: 'r-a', state: state })]);
    expect(toRow(known.runs.get('r-a')!, T0 + 3000, T0)).toMatchObject(expected);
  });

  it('last exit: the exit of the last attempt, else the last reason recorded', () => {
    const state = createTopState(T0);
    applyList(state, [
      run({
        runId: 'r-a',
        state: 'backoff',
        lastReasons: [{ attempt: 1, reason: 'crashed', at: T0 }],
      }),
    ]);
    expect(toRow(state.runs.get('r-a')!, T0, T0).lastExit).toBe('crashed');
  });

  it('a thread runner shows its heap, marked as such', () => {
    const state = createTopState(T0);
    applyList(state, [
      {
        ...run({ runId: 'r-a' }),
        resources: {
          source: 'thread',
          cpuPercent: 3,
          rssBytes: null,
          heapUsedBytes: 8 * 1024 * 1024,
          sampledAt: T0,
        },
      },
    ]);
    expect(toRow(state.runs.get('r-a')!, T0, T0)).toMatchObject({
      cpuPercent: 3,
      memoryBytes: 8 * 1024 * 1024,
      memoryKind: 'heap',
    });
  });

  it('iterations/min: over the minute, or scaled up over a shorter watch of the run', () => {
    const state = createTopState(T0);
    applyList(state, [run({ runId: 'r-a', createdAt: T0 })]);
    for (let s = 0; s < 10; s += 1) {
      applyEvent(state, iteration('r-a', T0 + s * 1000));
    }
    // 10 iterations in the 10 s the run has existed: 60 a minute.
    expect(toRow(state.runs.get('r-a')!, T0 + 10_000, T0).perMinute).toBe(60);
    // Under 5 s of watching: no rate yet.
    expect(toRow(state.runs.get('r-a')!, T0 + 4000, T0).perMinute).toBeNull();
  });
});

describe('RateWindow', () => {
  it('counts the last 60 s only, in bounded buckets', () => {
    const window = new RateWindow();
    for (let i = 0; i < 10_000; i += 1) {
      window.add(T0 + i * 10); // 100 s of events, 100 a second
    }
    expect(window.count(T0 + 100_000)).toBe(6000 - 100); // the newest second is not over yet
    expect(window.count(T0 + 300_000)).toBe(0);
  });
});

const row = (fields: Partial<TopRow> & { runId: string }): TopRow => ({
  name: fields.runId,
  state: 'running',
  pid: null,
  attempt: 1,
  uptimeMs: null,
  iterations: 0,
  perMinute: null,
  cpuPercent: null,
  memoryBytes: null,
  memoryKind: 'rss',
  tokens: null,
  costUsd: null,
  costPartial: false,
  pending: 0,
  lastExit: null,
  active: true,
  createdAt: 0,
  ...fields,
});

describe('sortRows and filterRows', () => {
  const rows = [
    row({ runId: 'b', cpuPercent: 5, createdAt: 2 }),
    row({ runId: 'a', cpuPercent: null, createdAt: 3 }),
    row({ runId: 'c', cpuPercent: 90, createdAt: 1 }),
    row({ runId: 'Alpha', cpuPercent: 5, createdAt: 4 }),
  ];
  it.each([
    [{ key: 'name', desc: false }, ['a', 'Alpha', 'b', 'c']],
    [{ key: 'name', desc: true }, ['c', 'b', 'Alpha', 'a']],
    // Rows without a sample last either way; ties newest first.
    [{ key: 'cpuPercent', desc: true }, ['c', 'Alpha', 'b', 'a']],
    [{ key: 'cpuPercent', desc: false }, ['Alpha', 'b', 'c', 'a']],
  ] as const)('%j', (sort, expected) => {
    expect(sortRows(rows, sort).map((r) => r.runId)).toEqual(expected);
  });

  it.each([
    ['', 4],
    ['AL', 1],
    [' a ', 2],
    ['zzz', 0],
  ])('filter %j keeps %i rows (by name, ignoring case)', (query, count) => {
    expect(filterRows(rows, query)).toHaveLength(count);
  });

  it('s walks every column: text ascending, numbers largest first', () => {
    expect(nextSort({ key: 'name', desc: false })).toEqual({ key: 'state', desc: false });
    expect(nextSort({ key: 'state', desc: false })).toEqual({ key: 'pid', desc: true });
    expect(nextSort({ key: 'lastExit', desc: false })).toEqual({ key: 'name', desc: false });
  });

  it('toRows lists every run of the state', () => {
    const state = createTopState(T0);
    applyList(state, [run({ runId: 'r-a' }), run({ runId: 'r-b' })]);
    expect(toRows(state, T0).map((r) => r.runId)).toEqual(['r-a', 'r-b']);
  });
});
