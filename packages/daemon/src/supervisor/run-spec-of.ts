import type { ModelPrices } from '@x/ipc';
import {
  HANDSHAKE_TIMEOUT_MS,
  HEARTBEAT_INTERVAL_MS,
  LIVENESS_TIMEOUT_MS,
  MAX_INVALID_FRAMES_PER_MINUTE,
  MEMORY_SAMPLE_MS,
  READINESS_TIMEOUT_MS,
} from '../constants.js';
import type { RunRecord } from '../persistence/records.js';
import { DEFAULT_RESTART_POLICY } from './restart-policy.js';
import type { RunSpec } from './run-spec.js';

/** The daemon's settings a run's spec falls back to (RunnerSupervisorOptions' of the same name). */
export interface RunSpecDefaults {
  /** @default HANDSHAKE_TIMEOUT_MS (10 000 ms) */
  handshakeTimeoutMs?: number | undefined;
  /** @default MAX_INVALID_FRAMES_PER_MINUTE (20) */
  maxInvalidFramesPerMinute?: number | undefined;
  /** ms; null for none. @default HEARTBEAT_INTERVAL_MS (1000 ms) */
  heartbeatIntervalMs?: number | null | undefined;
  /** @default LIVENESS_TIMEOUT_MS (10 000 ms) */
  livenessTimeoutMs?: number | undefined;
  /** @default MEMORY_SAMPLE_MS (1000 ms) */
  memorySampleMs?: number | undefined;
  /** The operator's prices by model id. @default none */
  modelPrices?: Readonly<ModelPrices> | undefined;
}

/**
 * The spec of a run's attempts, from its stored record (its options, or their defaults for
 * rows stored before an option existed) and the daemon's settings. Pure.
 */
export function runSpecOf(record: RunRecord, defaults: RunSpecDefaults): RunSpec {
  const { options } = record;
  return {
    kind: options.kind ?? 'agent',
    probes: options.probes ?? {
      readiness: null,
      readinessTimeoutMs: READINESS_TIMEOUT_MS,
      liveness: null,
    },
    runId: record.runId,
    attempt: record.attempt,
    name: record.name,
    module: record.module,
    command: options.command,
    params: record.params,
    intervalMs: options.intervalMs,
    maxIterations: options.maxIterations,
    stopBudget: options.stopBudget,
    codec: options.codec,
    cwd: options.cwd,
    env: options.env ?? {},
    restart: options.restart ?? DEFAULT_RESTART_POLICY,
    maxMemoryMb: options.maxMemoryMb ?? null,
    // Rows from before runner modes: the launcher column says how they ran.
    runnerMode: options.runnerMode ?? (record.launcher === 'thread' ? 'thread' : 'subprocess'),
    handshakeTimeoutMs: defaults.handshakeTimeoutMs ?? HANDSHAKE_TIMEOUT_MS,
    maxInvalidFramesPerMinute: defaults.maxInvalidFramesPerMinute ?? MAX_INVALID_FRAMES_PER_MINUTE,
    heartbeatIntervalMs:
      options.heartbeatIntervalMs ??
      (defaults.heartbeatIntervalMs === undefined
        ? HEARTBEAT_INTERVAL_MS
        : defaults.heartbeatIntervalMs),
    livenessTimeoutMs:
      options.livenessTimeoutMs ?? defaults.livenessTimeoutMs ?? LIVENESS_TIMEOUT_MS,
    memorySampleMs: defaults.memorySampleMs ?? MEMORY_SAMPLE_MS,
    modelPrices: defaults.modelPrices,
  };
}
