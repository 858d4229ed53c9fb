import type { ModelPrices } from '@x/ipc';
import type { RunnerLauncher } from '../launch/runner-launcher.js';
import type { RunLogOptions } from '../logs/run-log.js';
import type { PersistenceGuard } from '../persistence/persistence-guard.js';
import type { RemovedRows } from '../persistence/run-removal.js';
import type { RunStore } from '../persistence/run-store.js';
import type { Logger } from '../process/logger.js';
import type { FleetBudget } from './budget-policy.js';

/** Options of `RunnerSupervisor.send`. */
export interface SendOptions {
  /** Resolve once the turn ends (or `timeoutMs` passes) instead of at once. */
  wait?: boolean | undefined;
  /** With `wait`: resolve with the still-pending turn after this long, ms. @default no limit */
  timeoutMs?: number | undefined;
}

/** `agent.remove` result: the run forgotten, the rows deleted with it, its log files. */
export interface RemovedRun {
  runId: string;
  name: string;
  /** Rows deleted, by table (its spend is kept per day: see RunRemoval). */
  rows: RemovedRows;
  /** The log files deleted (the live one and its rotated predecessors). */
  logFiles: string[];
  /** Why a log file could not be deleted (the run is forgotten all the same), or null. */
  logError: string | null;
}

/** Options of `RunnerSupervisor`. */
export interface RunnerSupervisorOptions {
  launcher: RunnerLauncher;
  store: RunStore;
  /** Directory for per-run log files. */
  logsDir: string;
  logger?: Logger;
  /** How long a runner has to send `ready`, ms. @default 10 000 */
  handshakeTimeoutMs?: number | undefined;
  /** Invalid frames tolerated per run within 60 s before `protocol_error`. @default 20 */
  maxInvalidFramesPerMinute?: number | undefined;
  /** Heartbeat interval asked of runners, ms; null for none. @default 1000 */
  heartbeatIntervalMs?: number | null | undefined;
  /** Heartbeat silence that makes a runner `hung`, ms. @default 10 000 */
  livenessTimeoutMs?: number | undefined;
  /** RSS sampling period for memory limits, ms. @default 1000 */
  memorySampleMs?: number | undefined;
  runLog?: RunLogOptions | undefined;
  /** Checkpoints kept per run (older ones are pruned as new ones are stored). @default 5 */
  checkpointsKept?: number | undefined;
  /**
   * Bytes of records (protocol `store`) each run may keep; a write past it is refused.
   * @default DEFAULT_RECORDS_MAX_BYTES (64 MiB)
   */
  recordsMaxBytes?: number | undefined;
  /** The daemon-wide budget over every run (a UTC day's cost, USD). @default none */
  fleetBudget?: FleetBudget | undefined;
  /**
   * The operator's prices by model id, handed to every runner (`init.modelPrices`), already
   * validated (`resolveModelPrices`). @default none
   */
  modelPrices?: Readonly<ModelPrices> | undefined;
  /** The daemon's persistence guard (one health for its one database). @default a guard of its own */
  persistence?: PersistenceGuard | undefined;
}

/** Models without a cost listed per run in `agent.status`: 10. */
export const MODELS_WITHOUT_COST_LISTED = 10;

/** How a daemon's shutdown treats its runs (`RunnerSupervisor.stopAll`). */
export interface ShutdownOptions {
  /**
   * Park the runs whose restart policy is not `no`: the next daemon on this state directory
   * restarts them, from their newest checkpoint (what a SIGTERM from systemd at a reboot
   * does). @default false: every run stays stopped
   */
  resume?: boolean | undefined;
}
