import type { ModelPrices, RestoredCheckpoint } from '@x/ipc';
import type { ServiceProbes } from '../health/service-probes.js';
import type { RunnerMode } from '../launch/runner-launcher.js';
import type { RestartPolicy } from './restart-policy.js';

/** Everything needed to start one attempt of a run. */
export interface RunSpec {
  /** `agent`: speaks runner protocol v1 on fd 3. `service`: any program, health-checked by probes. */
  kind: 'agent' | 'service';
  /** A service's probes (ignored for agents). */
  probes: ServiceProbes;
  runId: string;
  /** Attempt number, from 1. */
  attempt: number;
  name: string;
  /** Agent module for the launcher's runner, or null for a `command` run. */
  module: string | null;
  /** Program and arguments of a `command` run, or null. */
  command: string[] | null;
  params: Record<string, unknown>;
  intervalMs: number;
  maxIterations: number | null;
  stopBudget: StopBudget;
  codec: 'jsonl' | 'msgpack';
  cwd: string;
  env: Record<string, string>;
  handshakeTimeoutMs: number;
  /** Invalid frames tolerated within 60 s before the runner is killed (`protocol_error`). */
  maxInvalidFramesPerMinute: number;
  /** When to restart (read by the run, not the attempt). */
  restart: RestartPolicy;
  /** How often the runner sends `heartbeat`, ms; null for no heartbeats. */
  heartbeatIntervalMs: number | null;
  /** Heartbeat silence after which a runner that has sent one is `hung`, ms. */
  livenessTimeoutMs: number;
  /**
   * Memory limit in MiB, or null for none. A subprocess: V8 heap cap (module runs) and RSS
   * limit. A thread: V8 heap cap only (`resourceLimits`; a thread has no RSS of its own).
   */
  maxMemoryMb: number | null;
  /** How the runner is hosted (a `command` run or service is always `subprocess`). */
  runnerMode: RunnerMode;
  /** How often RSS is sampled against `maxMemoryMb`, ms. */
  memorySampleMs: number;
  /** The checkpoint this attempt resumes from (`init.restored`), if the run has one. */
  restored?: RestoredCheckpoint | undefined;
  /** Largest JSON of one checkpoint's state, bytes (`init.checkpointMaxBytes`). */
  checkpointMaxBytes?: number | undefined;
  /** The run's record store cap, bytes (`init.storeMaxBytes`); absent: the run has none. */
  storeMaxBytes?: number | undefined;
  /** Why the run is paused, when an attempt starts paused (`init.paused`). */
  paused?: string | undefined;
  /** Whether a budget applies to the run (`init.budgeted`); absent: not said. */
  budgeted?: boolean | undefined;
  /** The operator's prices by model id (`init.modelPrices`); absent or empty: none sent. */
  modelPrices?: Readonly<ModelPrices> | undefined;
}

/**
 * Durations of the first two stop phases, in ms; the third (SIGKILL) is immediate.
 * A thread runner has two phases: IPC `stop`, then after `ipcMs` `worker.terminate()`
 * (`sigtermMs` does not apply).
 */
export interface StopBudget {
  /** IPC `stop` → SIGTERM (a thread: → terminate). */
  ipcMs: number;
  /** SIGTERM → SIGKILL. */
  sigtermMs: number;
}
