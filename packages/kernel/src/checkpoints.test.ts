import { describe, expect, it } from 'vitest';
import { IpcError, IPC_ERROR_CODES, type CheckpointMessage } from '@x/ipc';
import { CheckpointAcks } from './checkpoints.js';

function acksWith(send: (message: CheckpointMessage) => Promise<void> = () => Promise.resolve()) {
  const sent: CheckpointMessage[] = [];
  const acks = new CheckpointAcks((message) => {
    sent.push(message);
    return send(message);
  });
  return { acks, sent };
}

describe('CheckpointAcks', () => {
  it('sends checkpoint frames with ids c-1, c-2, … and settles each on the ack with its id, in any order', async () => {
    const { acks, sent } = acksWith();
    const first = acks.request({ n: 1 }, { iteration: 1 });
    const second = acks.request({ n: 2 }, { iteration: 0 });
    expect(sent).toEqual([
      { type: 'checkpoint', requestId: 'c-1', state: { n: 1 }, iteration: 1 },
      { type: 'checkpoint', requestId: 'c-2', state: { n: 2 }, iteration: 0 },
    ]);
    expect(
      acks.answer({ type: 'checkpoint_ack', requestId: 'c-2', ok: true, seq: 8, savedAt: 20 }),
    ).toBe(true);
    expect(
      acks.answer({ type: 'checkpoint_ack', requestId: 'c-1', ok: true, seq: 7, savedAt: 10 }),
    ).toBe(true);
    expect(await first).toEqual({ seq: 7, savedAt: 10 });
    expect(await second).toEqual({ seq: 8, savedAt: 20 });
    expect(acks.pending).toBe(0);
  });

  it('an ack for an unknown or already answered id is ignored', async () => {
    const { acks } = acksWith();
    const pending = acks.request(null, { iteration: 0 });
    const ack = { type: 'checkpoint_ack', requestId: 'c-1', ok: true, seq: 1, savedAt: 1 } as const;
    expect(acks.answer({ ...ack, requestId: 'c-9' })).toBe(false);
    expect(acks.answer(ack)).toBe(true);
    expect(acks.answer(ack)).toBe(false);
    expect(await pending).toEqual({ seq: 1, savedAt: 1 });
  });

  it("ok: false rejects X_CHECKPOINT_REFUSED with the supervisor's reason", async () => {
    const { acks } = acksWith();
    const pending = acks.request({}, { iteration: 2 });
    acks.answer({
      type: 'checkpoint_ack',
      requestId: 'c-1',
      ok: false,
      error: 'SQLITE_FULL: disk full',
    });
    const error = await pending.catch((caught: unknown) => caught);
    expect(error).toMatchObject({ name: 'CheckpointError', code: 'X_CHECKPOINT_REFUSED' });
    expect((error as Error).message).toContain(
      'could not store checkpoint c-1: SQLITE_FULL: disk full',
    );
  });

  it('closeAll() rejects what is pending, and every later request, with X_CHECKPOINT_STOPPING', async () => {
    const { acks, sent } = acksWith();
    const pending = acks.request({}, { iteration: 0 });
    acks.closeAll('the supervisor went away');
    expect(await pending.catch((caught: unknown) => caught)).toMatchObject({
      code: 'X_CHECKPOINT_STOPPING',
      message: expect.stringContaining('the supervisor went away') as unknown,
    });
    expect(
      await acks.request({}, { iteration: 0 }).catch((caught: unknown) => caught),
    ).toMatchObject({
      code: 'X_CHECKPOINT_STOPPING',
    });
    expect(sent).toHaveLength(1);
    expect(
      acks.answer({ type: 'checkpoint_ack', requestId: 'c-1', ok: true, seq: 1, savedAt: 1 }),
    ).toBe(false);
  });

  it.each([
    [IPC_ERROR_CODES.CHANNEL_CLOSED, 'X_CHECKPOINT_STOPPING'],
    [IPC_ERROR_CODES.FRAME_TOO_LARGE, 'X_CHECKPOINT_TOO_LARGE'],
    [IPC_ERROR_CODES.BACKPRESSURE, 'X_CHECKPOINT_REFUSED'],
  ])('a send that fails with %s rejects at once with %s', async (ipcCode, code) => {
    const { acks } = acksWith(() => Promise.reject(new IpcError(ipcCode, `refused: ${ipcCode}`)));
    const error = await acks.request({}, { iteration: 0 }).catch((caught: unknown) => caught);
    expect(error).toMatchObject({ code });
    expect(acks.pending).toBe(0);
  });
});
