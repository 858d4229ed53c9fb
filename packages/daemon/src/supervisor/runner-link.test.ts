import type { SupervisorMessage } from '@x/ipc';
import { describe, expect, it } from 'vitest';
import type { LaunchedRunner } from '../launch/runner-launcher.js';
import { AttemptHandshake } from './attempt-handshake.js';
import { RunnerLink } from './runner-link.js';

/**
 * A RunnerLink over a runner whose channel records what it is sent (the link uses only its
 * `send` and `closed`), with the attempt's state to change: exited, stopping, the channel
 * closed, the handshake completed with some capabilities.
 */
function link(options: { budgeted?: boolean; refuse?: Error } = {}) {
  const sent: SupervisorMessage[] = [];
  const logged: string[] = [];
  const state = { exited: false, stopping: false, closed: false, launched: true };
  const runner = {
    channel: {
      get closed() {
        return state.closed;
      },
      send: (message: SupervisorMessage) => {
        if (options.refuse !== undefined) {
          return Promise.reject(options.refuse);
        }
        sent.push(message);
        return Promise.resolve();
      },
    },
  } as unknown as LaunchedRunner;
  const handshake = new AttemptHandshake();
  const subject = new RunnerLink({
    attempt: 2,
    budgeted: options.budgeted,
    handshake,
    runner: () => (state.launched ? runner : undefined),
    exited: () => state.exited,
    stopping: () => state.stopping,
    log: (line) => logged.push(line),
  });
  const ready = (capabilities: Record<string, boolean>) => {
    handshake.complete(capabilities);
    subject.ready();
  };
  return { subject, sent, logged, state, ready };
}

describe('RunnerLink', () => {
  it('takes turns only once ready with capabilities.turns, and not while stopping or gone', async () => {
    const { subject, state, ready, sent } = link();
    expect(subject.attempt).toBe(2);
    expect(subject.acceptsTurns).toBe(false); // before ready
    ready({ turns: true, pause: true });
    expect(subject.acceptsTurns).toBe(true);
    expect([subject.turnsCapable, subject.pausable, subject.retryTurns]).toEqual([
      true,
      true,
      false,
    ]);
    await subject.sendTurn('t-1', { q: 1 });
    await subject.sendTurn('t-2', undefined);
    expect(sent).toEqual([
      { type: 'turn', turnId: 't-1', input: { q: 1 } },
      { type: 'turn', turnId: 't-2' },
    ]);
    state.stopping = true;
    expect(subject.acceptsTurns).toBe(false);
    state.stopping = false;
    state.closed = true;
    expect(subject.acceptsTurns).toBe(false);
    expect(subject.turnsCapable).toBe(true); // what it announced stays
  });

  it('sends the answers while the runner is there, and nothing once it exited or its channel closed', () => {
    const { subject, sent, state, ready } = link();
    ready({ pause: true });
    subject.ackCheckpoint({ type: 'checkpoint_ack', seq: 1, ok: true } as never);
    subject.answerStore({ type: 'store_result', requestId: 's-1', ok: true } as never);
    subject.ackUsage(3, { costUsd: 0.5 });
    subject.ackUsage(4);
    subject.answerPermission('p-1', 'granted');
    subject.answerPermission('p-2', 'denied', 'no');
    subject.setPaused(true, 'x'.repeat(2000));
    subject.setPaused(false);
    subject.cancelTurn('t-1', 'changed my mind');
    expect(sent.map((message) => message.type)).toEqual([
      'checkpoint_ack',
      'store_result',
      'usage_ack',
      'usage_ack',
      'permission_response',
      'permission_response',
      'pause',
      'resume',
      'turn_cancel',
    ]);
    expect(sent[2]).toEqual({ type: 'usage_ack', ack: 3, headroom: { costUsd: 0.5 } });
    expect(sent[3]).toEqual({ type: 'usage_ack', ack: 4 });
    expect(sent[5]).toEqual({
      type: 'permission_response',
      requestId: 'p-2',
      decision: 'denied',
      reason: 'no',
    });
    expect((sent[6] as { reason: string }).reason).toHaveLength(1024); // bounded

    sent.length = 0;
    state.closed = true;
    subject.ackUsage(5);
    subject.answerPermission('p-3', 'granted');
    subject.setPaused(true);
    state.closed = false;
    state.exited = true;
    subject.cancelTurn('t-2');
    subject.ackCheckpoint({ type: 'checkpoint_ack', seq: 2, ok: true } as never);
    expect(sent).toEqual([]);
  });

  it('tells pause only to a runner that announced capabilities.pause', () => {
    const { subject, sent, ready } = link();
    ready({ turns: true });
    subject.setPaused(true);
    expect(sent).toEqual([]);
  });

  it('tells a runner that acks usage the budget state that changed before its ready, at its ready', () => {
    const { subject, sent, ready } = link({ budgeted: false });
    subject.setBudgeted(true); // before ready: due, not sent
    expect(sent).toEqual([]);
    ready({ usageAcks: true });
    expect(sent).toEqual([{ type: 'budget_state', budgeted: true }]);
    subject.setBudgeted(false);
    expect(sent.at(-1)).toEqual({ type: 'budget_state', budgeted: false });
  });

  it('rejects a turn to a runner never launched, and logs a send that failed', async () => {
    const unlaunched = link();
    unlaunched.state.launched = false;
    await expect(unlaunched.subject.sendTurn('t-1', 1)).rejects.toThrow(
      'the runner was not launched',
    );
    const refusing = link({ refuse: new Error('X_IPC_BACKPRESSURE: the queue is full') });
    refusing.subject.send({ type: 'resume' });
    await new Promise((resolve) => setImmediate(resolve));
    expect(refusing.logged).toEqual([
      'could not send resume: X_IPC_BACKPRESSURE: the queue is full',
    ]);
  });
});
