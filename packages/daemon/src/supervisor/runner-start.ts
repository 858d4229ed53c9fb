import { PROTOCOL_VERSION, type InitMessage } from '@x/ipc';
import { RUNNER_RSS_BASELINE_MB } from '../constants.js';
import type { LaunchSpec } from '../launch/runner-launcher.js';
import type { RunSpec } from './run-spec.js';

/** Smallest V8 heap cap given to a runner under a memory limit: 16 MiB. */
const MIN_HEAP_CAP_MB = 16;

/**
 * What the launcher is asked to start for `spec`. A subprocess module run with a memory limit
 * gets `--max-old-space-size` appended to NODE_OPTIONS (the run's own, else `inheritedNodeOptions`):
 * the limit less an idle runner's RSS (RUNNER_RSS_BASELINE_MB), at least 16 MiB, so that a heap
 * hog meets V8's cap (a clear `oom`) before the sampled RSS check. A `command` run is not a
 * Node runner of x's; a thread's heap cap is the launcher's (`resourceLimits`). Pure.
 */
export function launchSpecOf(spec: RunSpec, inheritedNodeOptions: string | undefined): LaunchSpec {
  const env = { ...spec.env };
  if (spec.maxMemoryMb !== null && spec.command === null && spec.runnerMode !== 'thread') {
    const heapMb = Math.max(MIN_HEAP_CAP_MB, spec.maxMemoryMb - RUNNER_RSS_BASELINE_MB);
    env.NODE_OPTIONS =
      `${env.NODE_OPTIONS ?? inheritedNodeOptions ?? ''} --max-old-space-size=${heapMb}`.trim();
  }
  return {
    runId: spec.runId,
    name: spec.name,
    codec: spec.codec,
    cwd: spec.cwd,
    env,
    command: spec.command ?? undefined,
    runnerMode: spec.runnerMode,
    maxMemoryMb: spec.maxMemoryMb,
  };
}

/** The `init` frame that opens the handshake of an agent runner; null fields are left out. Pure. */
export function initMessageOf(spec: RunSpec): InitMessage {
  return {
    type: 'init',
    protocolVersion: PROTOCOL_VERSION,
    codec: spec.codec,
    runId: spec.runId,
    name: spec.name,
    ...(spec.module === null ? {} : { module: spec.module }),
    params: spec.params,
    intervalMs: spec.intervalMs,
    ...(spec.maxIterations === null ? {} : { maxIterations: spec.maxIterations }),
    ...(spec.heartbeatIntervalMs === null ? {} : { heartbeatIntervalMs: spec.heartbeatIntervalMs }),
    ...(spec.restored === undefined ? {} : { restored: spec.restored }),
    ...(spec.checkpointMaxBytes === undefined
      ? {}
      : { checkpointMaxBytes: spec.checkpointMaxBytes }),
    ...(spec.storeMaxBytes === undefined ? {} : { storeMaxBytes: spec.storeMaxBytes }),
    ...(spec.paused === undefined ? {} : { paused: spec.paused.slice(0, 1024) }),
    ...(spec.budgeted === undefined ? {} : { budgeted: spec.budgeted }),
    ...(spec.modelPrices === undefined || Object.keys(spec.modelPrices).length === 0
      ? {}
      : { modelPrices: spec.modelPrices }),
  };
}
