import { PROTOCOL_VERSION } from '@x/ipc';
import { describe, expect, it } from 'vitest';
import { RUNNER_RSS_BASELINE_MB } from '../constants.js';
import { DEFAULT_RESTART_POLICY } from './restart-policy.js';
import type { RunSpec } from './run-spec.js';
import { initMessageOf, launchSpecOf } from './runner-start.js';

const spec: RunSpec = {
  kind: 'agent',
  probes: { readiness: null, readinessTimeoutMs: 60_000, liveness: null },
  runId: 'r-1',
  attempt: 1,
  name: 'echo',
  module: '/agents/echo.mjs',
  command: null,
  params: { n: 1 },
  intervalMs: 100,
  maxIterations: null,
  stopBudget: { ipcMs: 1000, sigtermMs: 1000 },
  codec: 'jsonl',
  cwd: '/tmp',
  env: { FOO: 'bar' },
  handshakeTimeoutMs: 5000,
  maxInvalidFramesPerMinute: 10,
  restart: DEFAULT_RESTART_POLICY,
  heartbeatIntervalMs: null,
  livenessTimeoutMs: 30_000,
  maxMemoryMb: null,
  runnerMode: 'subprocess',
  memorySampleMs: 1000,
};

describe('launchSpecOf', () => {
  const heapMb = 512 - RUNNER_RSS_BASELINE_MB;
  const table: [string, Partial<RunSpec>, string | undefined, string | undefined][] = [
    ['no memory limit: NODE_OPTIONS untouched', {}, '--inspect', undefined],
    [
      'a subprocess module run under a limit gets the heap cap after the inherited NODE_OPTIONS',
      { maxMemoryMb: 512 },
      '--enable-source-maps',
      `--enable-source-maps --max-old-space-size=${heapMb}`,
    ],
    [
      "the run's own NODE_OPTIONS wins over the inherited one",
      { maxMemoryMb: 512, env: { NODE_OPTIONS: '--trace-warnings' } },
      '--enable-source-maps',
      `--trace-warnings --max-old-space-size=${heapMb}`,
    ],
    [
      'no NODE_OPTIONS anywhere: the cap alone, no leading space',
      { maxMemoryMb: 512 },
      undefined,
      `--max-old-space-size=${heapMb}`,
    ],
    [
      'a limit below the baseline still gives a 16 MiB heap',
      { maxMemoryMb: 1 },
      undefined,
      '--max-old-space-size=16',
    ],
    [
      'a command run gets no heap cap',
      { maxMemoryMb: 512, module: null, command: ['sleep', '9'] },
      undefined,
      undefined,
    ],
    [
      "a thread's heap cap is the launcher's, not NODE_OPTIONS",
      { maxMemoryMb: 512, runnerMode: 'thread' },
      undefined,
      undefined,
    ],
  ];

  it.each(table)('%s', (_title, change, inherited, nodeOptions) => {
    const run = { ...spec, ...change };
    const launch = launchSpecOf(run, inherited);
    expect(launch.env.NODE_OPTIONS).toBe(nodeOptions ?? run.env.NODE_OPTIONS);
    expect(launch).toMatchObject({
      runId: 'r-1',
      name: 'echo',
      codec: 'jsonl',
      cwd: '/tmp',
      command: run.command ?? undefined,
      runnerMode: run.runnerMode,
      maxMemoryMb: run.maxMemoryMb,
    });
    expect(launch.env.FOO).toBe(run.env.FOO);
  });

  it("does not change the run's env", () => {
    const env = { A: '1' };
    launchSpecOf({ ...spec, env, maxMemoryMb: 512 }, undefined);
    expect(env).toEqual({ A: '1' });
  });
});

const PRICES = { 'in-house-7b': { inputUsdPerMTok: 1, outputUsdPerMTok: 10 } };

describe('initMessageOf', () => {
  const table: [string, Partial<RunSpec>, Record<string, unknown>][] = [
    [
      'null module, maxIterations and heartbeat are left out',
      { module: null, command: ['x'] },
      { module: undefined, maxIterations: undefined, heartbeatIntervalMs: undefined },
    ],
    [
      'set ones are sent',
      { maxIterations: 3, heartbeatIntervalMs: 500 },
      { module: '/agents/echo.mjs', maxIterations: 3, heartbeatIntervalMs: 500 },
    ],
    ["the operator's prices are sent", { modelPrices: PRICES }, { modelPrices: PRICES }],
    ['no prices (empty) are left out', { modelPrices: {} }, { modelPrices: undefined }],
  ];

  it.each(table)('%s', (_title, change, optional) => {
    const init = initMessageOf({ ...spec, ...change });
    expect(init).toMatchObject({
      type: 'init',
      protocolVersion: PROTOCOL_VERSION,
      codec: 'jsonl',
      runId: 'r-1',
      name: 'echo',
      params: { n: 1 },
      intervalMs: 100,
    });
    for (const [key, value] of Object.entries(optional)) {
      expect(key in init).toBe(value !== undefined);
      expect((init as Record<string, unknown>)[key]).toBe(value);
    }
  });
});
