import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { PermissionRecord } from '../persistence/records.js';
import {
  MAX_PENDING_PERMISSIONS,
  PermissionBroker,
  autoDecision,
  type PermissionPolicy,
} from './permission-broker.js';

const request = (requestId: string, tool = 'shell') =>
  ({ type: 'permission_request', requestId, tool, input: { cmd: 'ls' } }) as const;

describe('autoDecision', () => {
  it.each([
    [true, 'shell', 'granted'],
    [null, 'shell', null],
    [['read', 'write'], 'read', 'granted'],
    [['read', 'write'], 'shell', null],
    [[], 'shell', null],
  ] as const)('autoApprove %j, tool %s → %s', (autoApprove, tool, expected) => {
    expect(autoDecision({ autoApprove, timeoutMs: 1000 }, tool)).toBe(expected);
  });
});

describe('PermissionBroker', () => {
  let requested: PermissionRecord[];
  let decided: PermissionRecord[];
  const broker = (policy: Partial<PermissionPolicy> = {}) =>
    new PermissionBroker(
      'r-1',
      { autoApprove: null, timeoutMs: 60_000, ...policy },
      { requested: (r) => requested.push(r), decided: (r) => decided.push(r) },
    );

  beforeEach(() => {
    vi.useFakeTimers();
    requested = [];
    decided = [];
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('holds a request pending until a client answers, then refuses a second answer', () => {
    const b = broker();
    expect(b.request(1, request('p-1'))).toBe(true);
    expect(requested).toMatchObject([{ requestId: 'p-1', decision: null, attempt: 1 }]);
    expect(b.pending().map((r) => r.requestId)).toEqual(['p-1']);
    const answered = b.answer('p-1', 'granted', 'looks fine');
    expect(answered).toMatchObject({
      decision: 'granted',
      decidedBy: 'client',
      reason: 'looks fine',
    });
    expect(decided).toHaveLength(1);
    expect(b.answer('p-1', 'denied', undefined)).toBe('not_pending');
    expect(b.answer('p-404', 'denied', undefined)).toBe('not_pending');
    expect(b.pending()).toEqual([]);
  });

  it('auto-approves listed tools at once, after reporting the request', () => {
    const b = broker({ autoApprove: ['read'] });
    b.request(1, request('p-1', 'read'));
    b.request(1, request('p-2', 'shell'));
    expect(requested.map((r) => r.requestId)).toEqual(['p-1', 'p-2']);
    expect(decided).toMatchObject([{ requestId: 'p-1', decision: 'granted', decidedBy: 'auto' }]);
    expect(b.pending().map((r) => r.requestId)).toEqual(['p-2']);
  });

  it('denies an unanswered request at its timeout, with reason timeout', () => {
    const b = broker({ timeoutMs: 5000 });
    b.request(1, request('p-1'));
    vi.advanceTimersByTime(4999);
    expect(decided).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(decided).toMatchObject([
      { decision: 'denied', decidedBy: 'timeout', reason: 'timeout' },
    ]);
    expect(b.answer('p-1', 'granted', undefined)).toBe('not_pending');
  });

  it('an answer before the timeout cancels it: decided exactly once', () => {
    const b = broker({ timeoutMs: 100 });
    b.request(1, request('p-1'));
    b.answer('p-1', 'denied', undefined);
    vi.advanceTimersByTime(1000);
    expect(decided).toHaveLength(1);
  });

  it('denyAll answers every pending request (stopped) and nothing later', () => {
    const b = broker({ timeoutMs: 100 });
    b.request(1, request('p-1'));
    b.request(1, request('p-2'));
    const denied = b.denyAll('stopped', 'stopped');
    expect(denied.map((r) => [r.requestId, r.decision, r.decidedBy, r.reason])).toEqual([
      ['p-1', 'denied', 'stopped', 'stopped'],
      ['p-2', 'denied', 'stopped', 'stopped'],
    ]);
    vi.advanceTimersByTime(1000);
    expect(decided).toHaveLength(2);
  });

  it('withdraw: the runner gave up on a request → denied by runner, with its reason; a client answer after it is refused', () => {
    const b = broker();
    b.request(1, request('p-1'));
    b.request(1, request('p-2'));
    expect(b.withdraw('p-1', 'changed my mind')).toMatchObject({
      requestId: 'p-1',
      decision: 'denied',
      decidedBy: 'runner',
      reason: 'withdrawn by the runner: changed my mind',
      expiresAt: null,
    });
    expect(b.withdraw('p-2', undefined)).toMatchObject({ reason: 'withdrawn by the runner' });
    expect(decided.map((r) => r.requestId)).toEqual(['p-1', 'p-2']);
    expect(b.answer('p-1', 'granted', undefined)).toBe('not_pending');
    // Unknown or already decided: nothing happens; the timeout does not fire later either.
    expect(b.withdraw('p-1', 'again')).toBeUndefined();
    vi.advanceTimersByTime(120_000);
    expect(decided).toHaveLength(2);
  });

  it('ignores a duplicate id while the first is pending', () => {
    const b = broker();
    expect(b.request(1, request('p-1'))).toBe(true);
    expect(b.request(1, request('p-1'))).toBe(false);
    expect(requested).toHaveLength(1);
  });

  it(`denies at once beyond ${MAX_PENDING_PERMISSIONS} pending requests`, () => {
    const b = broker();
    for (let i = 0; i < MAX_PENDING_PERMISSIONS; i += 1) {
      b.request(1, request(`p-${i}`));
    }
    b.request(1, request('p-over'));
    expect(b.pending()).toHaveLength(MAX_PENDING_PERMISSIONS);
    expect(decided).toMatchObject([
      { requestId: 'p-over', decision: 'denied', decidedBy: 'auto', reason: /too many/ },
    ]);
  });
});
