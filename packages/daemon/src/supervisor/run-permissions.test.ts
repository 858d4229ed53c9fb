import { describe, expect, it } from 'vitest';
import type { PermissionRecord, RunOptions } from '../persistence/records.js';
import type { SupervisorEvent } from './supervisor-events.js';
import { RunPermissions, type PermissionRunner } from './run-permissions.js';

/** RunPermissions with its attempt, store, log and events recorded. */
function setup(options: Partial<Pick<RunOptions, 'autoApprove'>> = {}) {
  const answered: [number, string, string, string | undefined][] = [];
  let current = 1;
  const attempt = (): PermissionRunner => ({
    attempt: current,
    answerPermission: (requestId, decision, reason) =>
      void answered.push([current, requestId, decision, reason]),
  });
  const stored = new Map<string, PermissionRecord>();
  const lines: string[] = [];
  const events: SupervisorEvent[] = [];
  const permissions = new RunPermissions({
    run: () => ({ runId: 'r-1', name: 'echo', options: options as RunOptions }),
    runner: attempt,
    store: { upsertPermission: (request) => void stored.set(request.requestId, { ...request }) },
    persistence: { persist: (_what, payload, apply) => apply(payload) },
    log: { line: (_source, text) => void lines.push(text) },
    emit: (event) => void events.push(event),
    now: () => 1000,
  });
  return {
    permissions,
    answered,
    stored,
    lines,
    events,
    nextAttempt: () => (current += 1),
  };
}

const ask = (requestId: string, tool = 'shell') =>
  ({ type: 'permission_request', requestId, tool }) as const;

describe('RunPermissions', () => {
  it('a request is stored and published pending; a client answer goes to the runner, stored and published', () => {
    const t = setup();
    t.permissions.request(1, ask('p-1'));
    expect(t.stored.get('p-1')).toMatchObject({ decision: null, expiresAt: 1000 + 30 * 60 * 1000 });
    expect(t.events.map((event) => event.type)).toEqual(['permission_request']);
    expect(t.permissions.pending().map((request) => request.requestId)).toEqual(['p-1']);
    expect(t.permissions.answer('p-1', 'granted', 'fine')).toMatchObject({
      decision: 'granted',
      decidedBy: 'client',
    });
    expect(t.answered).toEqual([[1, 'p-1', 'granted', 'fine']]);
    expect(t.stored.get('p-1')).toMatchObject({ decision: 'granted', reason: 'fine' });
    expect(t.lines).toEqual(['permission request p-1 (shell): granted by client (fine)']);
    expect(t.events.map((event) => event.type)).toEqual([
      'permission_request',
      'permission_answer',
    ]);
    expect(t.permissions.answer('p-1', 'denied')).toBe('not_pending');
  });

  it('autoApprove grants at once', () => {
    const t = setup({ autoApprove: ['shell'] });
    t.permissions.request(1, ask('p-1'));
    expect(t.answered).toEqual([[1, 'p-1', 'granted', 'auto-approved']]);
    expect(t.permissions.pending()).toEqual([]);
  });

  it('a duplicate pending request is logged and ignored', () => {
    const t = setup();
    t.permissions.request(1, ask('p-1'));
    t.permissions.request(1, ask('p-1'));
    expect(t.lines).toEqual([
      'protocol: permission request p-1 is already pending: duplicate ignored',
    ]);
    expect(t.permissions.pending()).toHaveLength(1);
  });

  it('a request the runner withdrew is recorded but not answered back', () => {
    const t = setup();
    t.permissions.request(1, ask('p-1'));
    t.permissions.withdraw('p-1', 'turn cancelled');
    expect(t.answered).toEqual([]);
    expect(t.stored.get('p-1')).toMatchObject({
      decision: 'denied',
      decidedBy: 'runner',
      reason: 'withdrawn by the runner: turn cancelled',
    });
  });

  it('denyAll denies every pending request as stopped, answering only the attempt that asked', () => {
    const t = setup();
    t.permissions.request(1, ask('p-1'));
    t.nextAttempt();
    t.permissions.request(2, ask('p-2'));
    t.permissions.denyAll('stopped: the runner exited (crashed)');
    expect(t.answered).toEqual([[2, 'p-2', 'denied', 'stopped: the runner exited (crashed)']]);
    expect([...t.stored.values()].map((request) => request.decidedBy)).toEqual([
      'stopped',
      'stopped',
    ]);
    expect(t.permissions.pending()).toEqual([]);
  });
});
