import { describe, expect, it } from 'vitest';
import { DAEMON_RPC_CODES } from '../errors.js';
import type { RunExit, RunRecord, TurnRecord } from '../persistence/records.js';
import type { UsageReport } from '../persistence/usage-ledger.js';
import type { SupervisorEvent } from './supervisor-events.js';
import { RunTurns, type TurnRunner } from './run-turns.js';

/** An attempt that records what it was sent; `refuse` makes its channel reject sends. */
function fakeAttempt(attempt: number, overrides: Partial<TurnRunner> = {}) {
  const sent: [string, unknown][] = [];
  const cancelled: string[] = [];
  let refuse: Error | undefined;
  const fake: TurnRunner = {
    attempt,
    acceptsTurns: true,
    turnsCapable: true,
    pausable: false,
    retryTurns: false,
    sendTurn: (turnId, input) => {
      sent.push([turnId, input]);
      return refuse === undefined ? Promise.resolve() : Promise.reject(refuse);
    },
    cancelTurn: (turnId) => void cancelled.push(turnId),
    ...overrides,
  };
  return { fake, sent, cancelled, refuseWith: (error: Error) => (refuse = error) };
}

/** RunTurns over an in-memory store, with everything it does recorded. */
function setup(options: { lastTurn?: number; state?: RunRecord['state'] } = {}) {
  const run: Pick<RunRecord, 'runId' | 'name' | 'state'> = {
    runId: 'r-1',
    name: 'echo',
    state: options.state ?? 'running',
  };
  const stored = new Map<string, TurnRecord>();
  const lines: string[] = [];
  const events: SupervisorEvent[] = [];
  const spent: [number, UsageReport][] = [];
  let attempt: TurnRunner | undefined;
  let now = 1000;
  const turns = new RunTurns({
    run: () => run,
    runner: () => attempt,
    store: {
      lastTurnNumber: () => options.lastTurn ?? 0,
      getTurn: (_runId, turnId) => stored.get(turnId),
      upsertTurn: (turn) => void stored.set(turn.turnId, { ...turn }),
    },
    persistence: { persist: (_what, payload, apply) => apply(payload), read: (_what, fn) => fn() },
    log: { line: (_source, text) => void lines.push(text) },
    emit: (event) => void events.push(event),
    spend: (n, usage) => void spent.push([n, usage]),
    now: () => now,
  });
  return {
    turns,
    run,
    stored,
    lines,
    events,
    spent,
    use: (next: TurnRunner | undefined) => (attempt = next),
    tick: (ms: number) => (now += ms),
  };
}

const crash: RunExit = {
  reason: 'crashed',
  stopPhase: null,
  explanation: 'exit code 1',
  exitCode: 1,
  signal: null,
  stderrTail: '',
  evidence: {},
};

const ended = (events: SupervisorEvent[]) =>
  events.flatMap((event) =>
    event.type === 'turn_result' ? [[event.turn.turnId, event.turn.status]] : [],
  );

describe('RunTurns', () => {
  it('refuses turns before an attempt, while starting, and from a runner without turns', async () => {
    const t = setup({ state: 'starting' });
    const code = DAEMON_RPC_CODES.TURNS_NOT_ACCEPTED;
    await expect(t.turns.send('a')).rejects.toMatchObject({ code });
    t.use(fakeAttempt(1).fake);
    await expect(t.turns.send('a')).rejects.toMatchObject({ code });
    t.run.state = 'running';
    t.use(fakeAttempt(1, { acceptsTurns: false, turnsCapable: false }).fake);
    await expect(t.turns.send('a')).rejects.toMatchObject({ code });
    expect(t.stored.size).toBe(0);
  });

  it('a paused run takes turns only when its runner can pause', async () => {
    const t = setup({ state: 'paused' });
    t.use(fakeAttempt(1).fake);
    await expect(t.turns.send('a')).rejects.toMatchObject({
      code: DAEMON_RPC_CODES.TURNS_NOT_ACCEPTED,
    });
    const pausable = fakeAttempt(1, { pausable: true });
    t.use(pausable.fake);
    await expect(t.turns.send('a')).resolves.toMatchObject({ status: 'pending' });
    expect(pausable.sent).toEqual([['t-1', 'a']]);
  });

  it('numbers turns after the last stored one, persists and sends each', async () => {
    const t = setup({ lastTurn: 7 });
    const attempt = fakeAttempt(2);
    t.use(attempt.fake);
    const turn = await t.turns.send({ q: 1 });
    expect(turn).toMatchObject({ turnId: 't-8', attempt: 2, status: 'pending', submittedAt: 1000 });
    expect(t.stored.get('t-8')).toMatchObject({ status: 'pending' });
    expect(attempt.sent).toEqual([['t-8', { q: 1 }]]);
  });

  it('a turn_result ends the turn, spends its usage against the attempt, and answers a waiter', async () => {
    const t = setup();
    t.use(fakeAttempt(3).fake);
    const waited = t.turns.send('a', { wait: true });
    t.tick(40);
    const usage = { inputTokens: 5, outputTokens: 7 };
    t.turns.settle({
      type: 'turn_result',
      turnId: 't-1',
      status: 'ok',
      output: 'b',
      durationMs: 9,
      usage,
    });
    await expect(waited).resolves.toMatchObject({ status: 'ok', output: 'b', finishedAt: 1040 });
    expect(t.spent).toEqual([[3, usage]]);
    expect(t.stored.get('t-1')).toMatchObject({ status: 'ok' });
    expect(t.lines).toContain('turn t-1: ok');
    expect(t.events).toEqual([
      expect.objectContaining({ type: 'turn_result', runId: 'r-1', name: 'echo' }),
    ]);
  });

  it("a turn's usage split by model is spent by model and stored as sums; one counted already is not spent again", async () => {
    const t = setup();
    t.use(fakeAttempt(2).fake);
    const waited = t.turns.send('a', { wait: true });
    const models = [
      { model: 'gpt-4o-mini', inputTokens: 3, costUsd: 0.01 },
      { model: 'in-house-llm-7b', inputTokens: 4 },
    ];
    const usage = { inputTokens: 7, costUsd: 0.01 };
    t.turns.settle({
      type: 'turn_result',
      turnId: 't-1',
      status: 'ok',
      durationMs: 1,
      usage: { ...usage, models },
    });
    expect(t.spent).toEqual(models.map((entry) => [2, entry]));
    expect((await waited).usage).toEqual(usage);
    const counted = t.turns.send('b', { wait: true });
    t.turns.settle({
      type: 'turn_result',
      turnId: 't-2',
      status: 'ok',
      durationMs: 1,
      usage: { ...usage, counted: true, models },
    });
    expect(t.spent).toHaveLength(2);
    expect((await counted).usage).toEqual(usage);
  });

  it('a turn_result for a turn not in flight is logged and ignored (its usage still counts)', () => {
    const t = setup();
    t.use(fakeAttempt(1).fake);
    t.turns.settle({ type: 'turn_result', turnId: 't-9', status: 'ok', durationMs: 1, usage: {} });
    expect(t.lines).toEqual(['protocol: turn_result for t-9, not in flight: ignored']);
    expect(t.events).toEqual([]);
    expect(t.spent).toHaveLength(1);
  });

  it('a turn the channel refuses ends as error at once', async () => {
    const t = setup();
    const attempt = fakeAttempt(1);
    attempt.refuseWith(new Error('X_IPC_BACKPRESSURE'));
    t.use(attempt.fake);
    await expect(t.turns.send('a', { wait: true })).resolves.toMatchObject({
      status: 'error',
      error: 'could not be delivered to the runner: X_IPC_BACKPRESSURE',
    });
    expect(t.stored.get('t-1')).toMatchObject({ status: 'error' });
  });

  it('a wait that times out returns the pending snapshot', async () => {
    const t = setup();
    t.use(fakeAttempt(1).fake);
    await expect(t.turns.send('a', { wait: true, timeoutMs: 1 })).resolves.toMatchObject({
      turnId: 't-1',
      status: 'pending',
    });
  });

  it('cancel asks the runner for a turn in flight, returns a finished one as stored, and refuses an unknown one', async () => {
    const t = setup();
    const attempt = fakeAttempt(1);
    t.use(attempt.fake);
    await t.turns.send('a');
    expect(t.turns.cancel('t-1', 'enough')).toMatchObject({ turnId: 't-1', status: 'pending' });
    expect(attempt.cancelled).toEqual(['t-1']);
    expect(t.lines).toContain('turn t-1: cancel requested: enough');
    t.turns.settle({ type: 'turn_result', turnId: 't-1', status: 'cancelled', durationMs: 1 });
    expect(t.turns.cancel('t-1')).toMatchObject({ status: 'cancelled' });
    expect(attempt.cancelled).toEqual(['t-1']);
    expect(() => t.turns.cancel('t-2')).toThrow(
      expect.objectContaining({ code: DAEMON_RPC_CODES.TURN_NOT_FOUND }),
    );
  });

  it('after a stop, every turn in flight ends cancelled', async () => {
    const t = setup();
    t.use(fakeAttempt(1).fake);
    await t.turns.send('a');
    await t.turns.send('b');
    t.turns.endAtExit({ ...crash, reason: 'stopped' }, true);
    expect(ended(t.events)).toEqual([
      ['t-1', 'cancelled'],
      ['t-2', 'cancelled'],
    ]);
  });

  it('after a crash, the oldest turn ends as error and the rest go to the next attempt in order', async () => {
    const t = setup();
    t.use(fakeAttempt(1).fake);
    await t.turns.send('a');
    t.tick(1);
    await t.turns.send('b');
    t.tick(1);
    await t.turns.send('c');
    t.turns.endAtExit(crash, false);
    expect(ended(t.events)).toEqual([['t-1', 'error']]);
    expect(t.stored.get('t-1')?.error).toMatch(/^the runner exited \(crashed\)/);
    const next = fakeAttempt(2);
    t.use(next.fake);
    t.turns.deliverKept();
    expect(next.sent).toEqual([
      ['t-2', 'b'],
      ['t-3', 'c'],
    ]);
    expect(t.stored.get('t-3')).toMatchObject({ attempt: 2, status: 'pending' });
    expect(t.lines).toContain('turn t-2: sent to attempt 2');
  });

  it('a runner with retryTurns gets its oldest turn once more', async () => {
    const t = setup();
    t.use(fakeAttempt(1, { retryTurns: true }).fake);
    await t.turns.send('a');
    t.turns.endAtExit(crash, false);
    expect(t.events).toEqual([]);
    t.turns.endAtExit(crash, false);
    expect(ended(t.events)).toEqual([['t-1', 'error']]);
  });

  it('kept turns wait for an attempt that accepts turns, and end as error with the run', async () => {
    const t = setup();
    t.use(fakeAttempt(1).fake);
    t.turns.adopt([
      {
        runId: 'r-1',
        turnId: 't-4',
        attempt: 1,
        input: 'x',
        status: 'pending',
        output: null,
        error: null,
        durationMs: null,
        usage: null,
        submittedAt: 900,
        finishedAt: null,
      },
    ]);
    const busy = fakeAttempt(2, { acceptsTurns: false });
    t.use(busy.fake);
    t.turns.deliverKept();
    expect(busy.sent).toEqual([]);
    t.turns.endWithRun({ ...crash, reason: 'spawn_failed', explanation: 'ENOENT' });
    expect(ended(t.events)).toEqual([['t-4', 'error']]);
    expect(t.stored.get('t-4')?.error).toBe(
      'the run ended (spawn_failed) before the turn could run: ENOENT',
    );
  });
});
