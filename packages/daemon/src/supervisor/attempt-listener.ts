import type {
  CheckpointMessage,
  PermissionCancelMessage,
  PermissionRequestMessage,
  StoreMessage,
  TurnResultMessage,
  UsageMessage,
} from '@x/ipc';
import type { RunnerLauncher } from '../launch/runner-launcher.js';
import type { RunLog } from '../logs/run-log.js';
import type { PersistenceGuard } from '../persistence/persistence-guard.js';
import type { AttemptRecord, IterationRecord, RunExit } from '../persistence/records.js';
import type { RunStore } from '../persistence/run-store.js';
import type { Logger } from '../process/logger.js';
import type { SupervisorEvent } from './supervisor-events.js';

/** What an attempt tells its run. */
export interface AttemptListener {
  /** The handshake completed. */
  ready(attempt: AttemptRecord): void;
  /** An iteration was persisted (or could not be: see persistence health). */
  iteration(record: IterationRecord): void;
  /** The attempt's process exited and the exit was classified and persisted. */
  exited(attempt: AttemptRecord, exit: RunExit): void;
  /** The runner answered a turn (before `exited` for every frame it sent before exiting). */
  turnResult?(message: TurnResultMessage): void;
  /** The runner asks for permission; answer with `RunAttempt.link.answerPermission`. */
  permissionRequest?(message: PermissionRequestMessage): void;
  /** The runner withdrew a request it no longer waits for (and treated as denied). */
  permissionCancel?(message: PermissionCancelMessage): void;
  /** The runner's setup succeeded (`setup_done` ok); a failed one ends in `exited`. */
  setupDone?(): void;
  /** The runner asks to store a checkpoint; answer with `RunAttempt.link.ackCheckpoint`. */
  checkpoint?(message: CheckpointMessage): void;
  /** The runner reports usage outside an iteration or turn result (`usage`). */
  usage?(message: UsageMessage): void;
  /** The runner reads or writes its records (`store`); answer with `RunAttempt.link.answerStore`. */
  store?(message: StoreMessage): void;
}

/** Collaborators of an attempt, passed in so tests can observe them. */
export interface RunAttemptDeps {
  launcher: RunnerLauncher;
  store: RunStore;
  persistence: PersistenceGuard;
  log: RunLog;
  logger: Logger;
  emit(event: SupervisorEvent): void;
  listener: AttemptListener;
}
