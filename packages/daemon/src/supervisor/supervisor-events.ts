import type { LogLevel } from '@x/ipc';
import type {
  IterationRecord,
  PermissionRecord,
  RunRecord,
  TurnRecord,
} from '../persistence/records.js';
import type { PersistenceHealth } from '../persistence/persistence-guard.js';

/**
 * What the supervisor publishes, always after the fact is persisted.
 * `run_state`: a run changed state (its record, with `exit` once exited).
 */
export type SupervisorEvent =
  | { type: 'run_state'; run: RunRecord }
  | { type: 'iteration_done'; runId: string; name: string; iteration: IterationRecord }
  | { type: 'log'; runId: string; name: string; level: LogLevel; message: string }
  | { type: 'notify'; runId: string; name: string; payload: unknown }
  /** A finished run was forgotten (`agent.remove`): its rows and log files are gone. */
  | { type: 'run_removed'; runId: string; name: string }
  /** A turn ended: answered by the runner, or ended by the attempt's exit. */
  | { type: 'turn_result'; runId: string; name: string; turn: TurnRecord }
  /** A runner asks for permission; `request.decision` is null (pending). */
  | { type: 'permission_request'; runId: string; name: string; request: PermissionRecord }
  /** A permission request was decided (`request.decidedBy`: auto, client, timeout, stopped). */
  | { type: 'permission_answer'; runId: string; name: string; request: PermissionRecord }
  /**
   * Daemon-wide: the store started failing (`degraded`: writes are lost, `health.since`), or a
   * write succeeded again (`recovered`: `health.lastRecovery` says after how long, writes lost).
   * `what` names the operation. Published by the daemon, not the supervisor; while degraded
   * the event itself may be missing from the backlog.
   */
  | {
      type: 'persistence';
      state: 'degraded' | 'recovered';
      what: string;
      health: PersistenceHealth;
    };
