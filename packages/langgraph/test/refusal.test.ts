// The saver at the run's cap, against a real daemon with a small cap: the write that would
// pass it is refused with the sizes, LangGraph's invoke rejects with that, and the history
// saved before it is all still there.
import type { DaemonHandle } from '@x/daemon';
import { Annotation, END, START, StateGraph } from '@langchain/langgraph';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { XCheckpointSaver, checkpointerFor } from '../src/index.js';
import { daemonAt, startBridge, tempDir, type Bridge } from './helpers.js';

const State = Annotation.Root({
  pages: Annotation<string[]>({ reducer: (a, b) => a.concat(b), default: () => [] }),
});

describe('XCheckpointSaver at the run cap (real daemon, recordsMaxBytes 60 000)', () => {
  let dir: ReturnType<typeof tempDir>;
  let daemon: DaemonHandle | undefined;
  let bridge: Bridge | undefined;
  beforeAll(async () => {
    dir = tempDir();
    daemon = await daemonAt(`${dir.path}/h`, { recordsMaxBytes: 60_000 });
    bridge = await startBridge(daemon, dir.path);
  });
  afterAll(async () => {
    bridge?.close();
    await daemon?.shutdown();
    dir?.remove();
  });

  it('invoke rejects with X_STORE_REFUSED naming the sizes; saved checkpoints stay', async () => {
    const saver = new XCheckpointSaver({ store: bridge as Bridge, threadId: 'big' });
    // Each super-step adds a 5 000-character page: the channel's value grows each time.
    const app = new StateGraph(State)
      .addNode('read', () => ({ pages: ['p'.repeat(5000)] }))
      .addEdge(START, 'read')
      .addConditionalEdges('read', (state) => (state.pages.length >= 40 ? END : 'read'))
      .compile({ checkpointer: saver });
    const failure = await app
      .invoke({ pages: [] }, { ...saver.config(), durability: 'sync', recursionLimit: 100 })
      .then(
        () => undefined,
        (error: unknown) => error as Error,
      );
    expect(failure?.message).toMatch(
      /^X_STORE_REFUSED: .*would take \d+ bytes, over its cap of 60000 bytes \(storeMaxBytes\)/,
    );
    let saved = 0;
    for await (const tuple of saver.list(saver.config())) {
      saved += tuple.checkpoint.id.length > 0 ? 1 : 0;
    }
    expect(saved).toBeGreaterThan(2);
    // The newest saved checkpoint is whole: its pages read back.
    const newest = await saver.getTuple(saver.config());
    expect((newest?.checkpoint.channel_values['pages'] as string[]).length).toBe(saved - 2);
  });

  it('bad construction is a TypeError naming the fix', () => {
    expect(() => new XCheckpointSaver({ store: bridge as Bridge }).config()).toThrow(
      /no default thread; create it with checkpointerFor\(ctx\)/,
    );
    expect(() => checkpointerFor({ runId: 'r', store: undefined as never })).toThrow(
      /ctx.store is undefined/,
    );
  });
});
