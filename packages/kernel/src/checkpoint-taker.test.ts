import { describe, expect, it } from 'vitest';
import { CheckpointTaker, type CheckpointStore } from './checkpoint-taker.js';
import { CheckpointError } from './errors.js';

/** A store that records what it was given and answers each call in turn. */
function recordingStore(answer: CheckpointStore = () => Promise.resolve({ seq: 1, savedAt: 5 })) {
  const calls: { state: unknown; iteration: number }[] = [];
  const store: CheckpointStore = (state, meta) => {
    calls.push({ state, iteration: meta.iteration });
    return answer(state, meta);
  };
  return { calls, store };
}

describe('CheckpointTaker', () => {
  it('hands the state and its iteration to the store and resolves with its receipt', async () => {
    const { calls, store } = recordingStore(() => Promise.resolve({ seq: 4, savedAt: 1234 }));
    const taker = new CheckpointTaker(store, 1024);
    expect(await taker.take({ cursor: 'p-2' }, 3)).toEqual({ seq: 4, savedAt: 1234 });
    expect(calls).toEqual([{ state: { cursor: 'p-2' }, iteration: 3 }]);
  });

  it('calls the store synchronously, so the checkpoint goes out before what the agent does next', () => {
    const { calls, store } = recordingStore();
    void new CheckpointTaker(store, 1024).take(null, 0);
    expect(calls).toHaveLength(1);
  });

  it.each([
    ['a Map nested in an object', { seen: new Map() }, 'Map at state.seen'],
    ['undefined', undefined, 'undefined at state: JSON has no undefined'],
    ['a BigInt in an array', [1, 2n], 'BigInt 2n at state[1]'],
    ['NaN', { ratio: Number.NaN }, 'NaN at state.ratio'],
  ])(
    'refuses %s synchronously with a TypeError naming the path; nothing is stored',
    (_name, state, text) => {
      const { calls, store } = recordingStore();
      const taker = new CheckpointTaker(store, 1024);
      expect(() => taker.take(state, 1)).toThrow(TypeError);
      expect(() => taker.take(state, 1)).toThrow(`@x/kernel: ctx.checkpoint(state): ${text}`);
      expect(calls).toEqual([]);
    },
  );

  it('refuses a state whose JSON is over maxBytes (X_CHECKPOINT_TOO_LARGE, naming both sizes); nothing is stored', async () => {
    const { calls, store } = recordingStore();
    const taker = new CheckpointTaker(store, 16);
    // '"ééééééé"' is 9 characters but 16 bytes of UTF-8: at the limit. One more é is over.
    expect(await taker.take('ééééééé', 0)).toEqual({ seq: 1, savedAt: 5 });
    const error = await taker.take('éééééééé', 0).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(CheckpointError);
    expect(error).toMatchObject({ code: 'X_CHECKPOINT_TOO_LARGE', name: 'CheckpointError' });
    expect((error as Error).message).toContain('the state is 18 bytes of JSON');
    expect((error as Error).message).toContain('limit of 16 bytes (checkpointMaxBytes)');
    expect(calls).toHaveLength(1);
  });

  it('without a store rejects X_CHECKPOINT_UNSUPPORTED, saying how to enable checkpoints', async () => {
    const error = await new CheckpointTaker(undefined, 1024)
      .take({ a: 1 }, 0)
      .catch((caught: unknown) => caught);
    expect(error).toMatchObject({ code: 'X_CHECKPOINT_UNSUPPORTED' });
    expect((error as Error).message).toContain('createRunner(agent, { onCheckpoint');
  });

  it("a store's CheckpointError reaches the agent as is; anything else becomes X_CHECKPOINT_REFUSED with its cause", async () => {
    const own = new CheckpointError('X_CHECKPOINT_REFUSED', 'disk full');
    const foreign = new Error('ENOSPC: no space left on device');
    const throwsSync: CheckpointStore = () => {
      throw foreign;
    };
    const answers = [Promise.reject(own), Promise.reject(foreign)];
    const taker = new CheckpointTaker(() => answers.shift() as Promise<never>, 1024);
    expect(await taker.take(1, 0).catch((caught: unknown) => caught)).toBe(own);
    const wrapped = await taker.take(2, 0).catch((caught: unknown) => caught);
    expect(wrapped).toMatchObject({ code: 'X_CHECKPOINT_REFUSED', cause: foreign });
    expect((wrapped as Error).message).toContain('ENOSPC: no space left on device');
    const sync = await new CheckpointTaker(throwsSync, 1024)
      .take(3, 0)
      .catch((caught: unknown) => caught);
    expect(sync).toMatchObject({ code: 'X_CHECKPOINT_REFUSED', cause: foreign });
  });

  it('close() rejects pending checkpoints and later ones with X_CHECKPOINT_STOPPING; a late answer is ignored', async () => {
    let answer!: (receipt: { seq: number; savedAt: number }) => void;
    const taker = new CheckpointTaker(() => new Promise((resolve) => (answer = resolve)), 1024);
    const pending = taker.take({ n: 1 }, 1);
    expect(taker.pending).toBe(1);
    taker.close('the run ended (stopped)');
    const error = await pending.catch((caught: unknown) => caught);
    expect(error).toMatchObject({ code: 'X_CHECKPOINT_STOPPING' });
    expect((error as Error).message).toContain('the run ended (stopped) before the checkpoint');
    answer({ seq: 1, savedAt: 1 });
    expect(taker.pending).toBe(0);
    expect(await taker.take(2, 0).catch((caught: unknown) => caught)).toMatchObject({
      code: 'X_CHECKPOINT_STOPPING',
    });
  });
});
