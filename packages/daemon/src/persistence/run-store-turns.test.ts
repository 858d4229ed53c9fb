import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runRecord, tempDir } from '../../test/helpers.js';
import type { PermissionRecord, TurnRecord } from './records.js';
import { RunStore } from './run-store.js';

const turn = (over: Partial<TurnRecord> = {}): TurnRecord => ({
  runId: 'r-1',
  turnId: 't-1',
  attempt: 1,
  input: { q: 'hi' },
  status: 'pending',
  output: null,
  error: null,
  durationMs: null,
  usage: null,
  submittedAt: 100,
  finishedAt: null,
  ...over,
});

const permission = (over: Partial<PermissionRecord> = {}): PermissionRecord => ({
  runId: 'r-1',
  attempt: 1,
  requestId: 'p-1',
  tool: 'shell',
  input: { cmd: 'ls' },
  rationale: null,
  requestedAt: 100,
  decision: null,
  decidedBy: null,
  reason: null,
  decidedAt: null,
  expiresAt: null,
  ...over,
});

describe('RunStore turns and permission requests (real SQLite file)', () => {
  let dir: ReturnType<typeof tempDir>;
  let store: RunStore;
  beforeEach(() => {
    dir = tempDir('x-store-');
    store = new RunStore(`${dir.path}/x.db`);
    store.insertRun(runRecord('r-1', 'a', 1));
  });
  afterEach(() => {
    store.close();
    dir.remove();
  });

  it('stores a pending turn, then its result, and lists turns newest first (t-10 after t-9)', () => {
    store.upsertTurn(turn());
    store.upsertTurn(
      turn({
        status: 'ok',
        output: { a: [1] },
        durationMs: 7,
        usage: { outputTokens: 3 },
        finishedAt: 150,
      }),
    );
    expect(store.getTurn('r-1', 't-1')).toEqual(
      turn({
        status: 'ok',
        output: { a: [1] },
        durationMs: 7,
        usage: { outputTokens: 3 },
        finishedAt: 150,
      }),
    );
    store.upsertTurn(turn({ turnId: 't-9', submittedAt: 200 }));
    store.upsertTurn(turn({ turnId: 't-10', submittedAt: 200, input: null }));
    expect(store.recentTurns('r-1', 2).map((t) => t.turnId)).toEqual(['t-10', 't-9']);
    expect(store.getTurn('r-1', 't-10')?.input).toBeNull();
    expect(store.lastTurnNumber('r-1')).toBe(10);
    expect(store.lastTurnNumber('r-2')).toBe(0);
  });

  it('ends pending turns and denies pending requests of a lost run, leaving decided ones', () => {
    store.upsertTurn(turn());
    store.upsertTurn(turn({ turnId: 't-2', status: 'ok', finishedAt: 120 }));
    expect(store.endPendingTurns('r-1', 'daemon died', 500)).toBe(1);
    expect(store.getTurn('r-1', 't-1')).toMatchObject({
      status: 'error',
      error: 'daemon died',
      finishedAt: 500,
    });
    expect(store.getTurn('r-1', 't-2')).toMatchObject({ status: 'ok', finishedAt: 120 });

    store.upsertPermission(permission());
    store.upsertPermission(
      permission({ requestId: 'p-2', decision: 'granted', decidedBy: 'client', decidedAt: 110 }),
    );
    expect(store.denyPendingPermissions('r-1', 'stopped', 600)).toBe(1);
    expect(store.getPermission('r-1', 'p-1')).toMatchObject({
      decision: 'denied',
      decidedBy: 'stopped',
      reason: 'stopped',
      decidedAt: 600,
    });
    expect(store.getPermission('r-1', 'p-2')).toMatchObject({
      decision: 'granted',
      decidedBy: 'client',
    });
    expect(store.recentPermissions('r-1', 10)).toHaveLength(2);
  });

  it('finds the latest attempt of a reused request id', () => {
    store.upsertPermission(permission({ decision: 'denied', decidedBy: 'stopped' }));
    store.upsertPermission(permission({ attempt: 2, requestedAt: 300 }));
    expect(store.getPermission('r-1', 'p-1')).toMatchObject({ attempt: 2, decision: null });
    expect(store.getPermission('r-1', 'p-404')).toBeUndefined();
  });

  it('prunes answered turns and decided requests of an active run by age, keeping pending ones and its newest turn', () => {
    store.updateRun('r-1', { state: 'running' });
    store.upsertTurn(turn({ turnId: 't-1', status: 'ok', submittedAt: 100, finishedAt: 110 }));
    store.upsertTurn(turn({ turnId: 't-2', status: 'pending', submittedAt: 200 }));
    store.upsertTurn(turn({ turnId: 't-3', status: 'error', submittedAt: 300, finishedAt: 310 }));
    store.upsertTurn(turn({ turnId: 't-4', status: 'ok', submittedAt: 400, finishedAt: 410 }));
    store.upsertPermission(
      permission({ requestId: 'p-1', requestedAt: 100, decision: 'granted', decidedAt: 105 }),
    );
    store.upsertPermission(permission({ requestId: 'p-2', requestedAt: 200 }));
    store.upsertPermission(
      permission({ requestId: 'p-3', requestedAt: 900, decision: 'denied', decidedAt: 905 }),
    );
    // Asked long ago, answered recently: kept.
    store.upsertPermission(
      permission({ requestId: 'p-4', requestedAt: 100, decision: 'denied', decidedAt: 5000 }),
    );
    // Everything is "old" but t-4 (the newest turn) and the pending ones stay.
    expect(store.prune({ iterationsBefore: 0, runsBefore: 0, turnsBefore: 1000 })).toEqual({
      iterations: 0,
      runs: 0,
      turns: 2,
      permissions: 2,
    });
    expect(
      store
        .recentTurns('r-1', 10)
        .map((t) => t.turnId)
        .sort(),
    ).toEqual(['t-2', 't-4']);
    expect(store.lastTurnNumber('r-1')).toBe(4);
    expect(store.getPermission('r-1', 'p-2')).toMatchObject({ decision: null });
    expect(store.getPermission('r-1', 'p-1')).toBeUndefined();
    expect(store.getPermission('r-1', 'p-4')).toMatchObject({ decision: 'denied' });
    // turnsBefore defaults to iterationsBefore.
    expect(store.prune({ iterationsBefore: 0, runsBefore: 0 })).toMatchObject({ turns: 0 });
  });
  it('bounds an active run to its newest N turns and requests; pending ones and turn numbering stay', () => {
    store.updateRun('r-1', { state: 'running' });
    const now = Date.now();
    for (let i = 1; i <= 30; i += 1) {
      // t-3 and p-3 are still pending: never deleted, even far past the bound.
      const pending = i === 3;
      store.upsertTurn(
        turn({
          turnId: `t-${i}`,
          status: pending ? 'pending' : 'ok',
          submittedAt: now + i,
          finishedAt: pending ? null : now + i,
        }),
      );
      store.upsertPermission(
        permission({
          requestId: `p-${i}`,
          requestedAt: now + i,
          decision: pending ? null : 'granted',
          decidedBy: pending ? null : 'auto',
          decidedAt: pending ? null : now + i,
        }),
      );
    }
    expect(store.prune({ iterationsBefore: 0, runsBefore: 0, maxPerRun: 10 })).toEqual({
      iterations: 0,
      runs: 0,
      turns: 19,
      permissions: 19,
    });
    const turns = store.recentTurns('r-1', 100).map((t) => t.turnId);
    expect(turns).toEqual([...Array.from({ length: 10 }, (_, i) => `t-${30 - i}`), 't-3']);
    expect(store.recentPermissions('r-1', 100).map((p) => p.requestId)).toEqual([
      ...Array.from({ length: 10 }, (_, i) => `p-${30 - i}`),
      'p-3',
    ]);
    expect(store.lastTurnNumber('r-1')).toBe(30);
  });
});
