// LangGraph's time travel on the x saver, against a real daemon: the whole history of a
// thread is kept (getStateHistory), and a graph forked from an old checkpoint (updateState,
// then invoke) goes on from there while the newer history stays.
import type { DaemonHandle } from '@x/daemon';
import { Annotation, END, START, StateGraph } from '@langchain/langgraph';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { XCheckpointSaver } from '../src/index.js';
import { daemonAt, startBridge, tempDir, type Bridge } from './helpers.js';

const State = Annotation.Root({
  path: Annotation<string[]>({ reducer: (a, b) => a.concat(b), default: () => [] }),
});

describe('time travel on the x saver (real daemon)', () => {
  let dir: ReturnType<typeof tempDir>;
  let daemon: DaemonHandle | undefined;
  let bridge: Bridge | undefined;
  beforeAll(async () => {
    dir = tempDir();
    daemon = await daemonAt(`${dir.path}/h`);
    bridge = await startBridge(daemon, dir.path);
  });
  afterAll(async () => {
    bridge?.close();
    await daemon?.shutdown();
    dir?.remove();
  });

  it('getStateHistory lists every checkpoint; updateState on an old one forks the thread', async () => {
    const saver = new XCheckpointSaver({ store: bridge as Bridge, threadId: 'travel' });
    const app = new StateGraph(State)
      .addNode('a', () => ({ path: ['a'] }))
      .addNode('b', () => ({ path: ['b'] }))
      .addNode('c', () => ({ path: ['c'] }))
      .addEdge(START, 'a')
      .addEdge('a', 'b')
      .addEdge('b', 'c')
      .addEdge('c', END)
      .compile({ checkpointer: saver });
    const config = saver.config();
    expect((await app.invoke({ path: [] }, config)).path).toEqual(['a', 'b', 'c']);

    const history = [];
    for await (const snapshot of app.getStateHistory(config)) {
      history.push(snapshot);
    }
    // input, then before a, b, c, and the end: newest first.
    expect(history.map((s) => s.next)).toEqual([[], ['c'], ['b'], ['a'], ['__start__']]);
    const beforeB = history[2];
    expect(beforeB?.values).toEqual({ path: ['a'] });

    // Fork before b: a new write as if from a (the reducer appends it), then run on from there.
    const forked = await app.updateState(beforeB.config, { path: ['A'] }, 'a');
    expect((await app.invoke(null, forked)).path).toEqual(['a', 'A', 'b', 'c']);
    const after = [];
    for await (const snapshot of app.getStateHistory(config)) {
      after.push(snapshot);
    }
    // The first run's five checkpoints stay; the fork added its own.
    expect(after.length).toBeGreaterThan(history.length);
    expect(after.map((s) => s.config.configurable?.checkpoint_id)).toEqual(
      expect.arrayContaining(history.map((s) => s.config.configurable?.checkpoint_id)),
    );
  });
});
