// LangGraph's own conformance suite for checkpoint savers, against a real daemon: every
// request of the saver goes through a store-bridge agent's ctx.store (a subprocess runner),
// a `store` message and the daemon's SQLite file. One daemon and runner for the whole suite;
// each checkpointer the suite asks for gets a namespace of its own (an empty store).
import type { DaemonHandle } from '@x/daemon';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deltaChannelHistoryTests, validate } from '@langchain/langgraph-checkpoint-validation';
import { XCheckpointSaver } from '../src/index.js';
import { daemonAt, startBridge, tempDir, type Bridge } from './helpers.js';

let dir: ReturnType<typeof tempDir>;
let daemon: DaemonHandle | undefined;
let bridge: Bridge | undefined;
let count = 0;

beforeAll(async () => {
  dir = tempDir();
  daemon = await daemonAt(`${dir.path}/h`);
  bridge = await startBridge(daemon, dir.path);
}, 30_000);

afterAll(async () => {
  bridge?.close();
  await daemon?.shutdown();
  dir?.remove();
}, 30_000);

const initializer = {
  checkpointerName: '@x/langgraph',
  createCheckpointer: () => {
    count += 1;
    return new XCheckpointSaver({ store: bridge as Bridge, namespace: `conformance-${count}` });
  },
};
validate(initializer);
deltaChannelHistoryTests(initializer);

describe('the suite ran against the daemon', () => {
  it("left the saver's records in the daemon's SQLite, under the bridge run", () => {
    expect(count).toBeGreaterThan(1);
    const bridgeRun = daemon?.supervisor.list().find((run) => run.name === 'bridge');
    expect(bridgeRun?.state).toBe('running');
    expect(daemon?.supervisor.records.usedBytes(bridgeRun?.runId ?? '')).toBeGreaterThan(10_000);
  });
});
