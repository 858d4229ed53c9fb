import type {
  CheckpointAckMessage,
  IterationDoneMessage,
  RunnerMessage,
  SetupDoneMessage,
  StoreResultMessage,
} from '@x/ipc';
import { safeJson, truncate } from '../logs/log-text.js';
import type { RunLog } from '../logs/run-log.js';
import type { PersistenceGuard } from '../persistence/persistence-guard.js';
import type { IterationRecord } from '../persistence/records.js';
import type { RunStore } from '../persistence/run-store.js';
import type { ExitEvidence } from './classify-exit.js';
import type { AttemptListener } from './attempt-listener.js';
import type { SupervisorEvent } from './supervisor-events.js';

/**
 * What routing a runner's message after the handshake needs of its attempt: the collaborators
 * it records and reports through, and the attempt state a message changes.
 */
export interface AttemptMessageTarget {
  readonly runId: string;
  readonly name: string;
  readonly attempt: number;
  readonly store: RunStore;
  readonly persistence: PersistenceGuard;
  readonly log: RunLog;
  readonly listener: AttemptListener;
  readonly emit: (event: SupervisorEvent) => void;
  /** `iteration_start` (a number) or `iteration_done` (null). */
  setCurrentIteration(iteration: number | null): void;
  /** The runner said why it is exiting (`exit`). */
  setExitFrame(frame: NonNullable<ExitEvidence['exitFrame']>): void;
  heartbeat(): void;
  setupDone(message: SetupDoneMessage): void;
  ackCheckpoint(ack: CheckpointAckMessage): void;
  answerStore(result: StoreResultMessage): void;
}

type Handlers = {
  [K in RunnerMessage['type']]?: (
    message: Extract<RunnerMessage, { type: K }>,
    target: AttemptMessageTarget,
  ) => void;
};

/**
 * What the supervisor does with each message a runner sends after its handshake: a table by
 * message type (the protocol reference lists the types). A type absent here (a newer runner's
 * optional message) is ignored.
 */
const HANDLERS: Handlers = {
  iteration_start: (message, target) => target.setCurrentIteration(message.iteration),
  iteration_done: recordIteration,
  log: (message, { runId, name, log, emit }) => {
    log.line('agent', `[${message.level}] ${message.message}`);
    emit({ type: 'log', runId, name, level: message.level, message: message.message });
  },
  notify: (message, { runId, name, log, emit }) => {
    log.line('agent', `[notify] ${truncate(safeJson(message.payload), 2000)}`);
    emit({ type: 'notify', runId, name, payload: message.payload });
  },
  error: (message, { log }) =>
    log.line('x', `runner error${message.fatal ? ' (fatal)' : ''}: ${message.message}`),
  exit: (message, target) =>
    target.setExitFrame({
      reason: message.reason,
      iterations: message.iterations,
      summary: message.summary,
    }),
  heartbeat: (_message, target) => target.heartbeat(),
  ready: (_message, { log }) => log.line('x', 'protocol: duplicate ready ignored'),
  turn_result: (message, { listener }) => listener.turnResult?.(message),
  permission_request: (message, { log, listener }) => {
    log.line('x', `permission request ${message.requestId}: ${message.tool}`);
    listener.permissionRequest?.(message);
  },
  permission_cancel: (message, { listener }) => listener.permissionCancel?.(message),
  checkpoint: (message, target) => {
    if (target.listener.checkpoint === undefined) {
      target.ackCheckpoint({
        type: 'checkpoint_ack',
        requestId: message.requestId,
        ok: false,
        error: 'this supervisor stores no checkpoints',
      });
    } else {
      target.listener.checkpoint(message);
    }
  },
  usage: (message, { listener }) => listener.usage?.(message),
  store: (message, target) => {
    if (target.listener.store === undefined) {
      target.answerStore({
        type: 'store_result',
        requestId: message.requestId,
        ok: false,
        error: 'this supervisor keeps no records for the run',
      });
    } else {
      target.listener.store(message);
    }
  },
  setup_done: (message, target) => target.setupDone(message),
};

/**
 * Routes one message a runner sent after its handshake to its handler.
 * @throws whatever a handler throws: the attempt treats it as a fault of x's (its run ends,
 *   never the daemon).
 */
export function routeAttemptMessage(message: RunnerMessage, target: AttemptMessageTarget): void {
  const handler = HANDLERS[message.type] as
    ((message: RunnerMessage, target: AttemptMessageTarget) => void) | undefined;
  handler?.(message, target);
}

/**
 * Stores an iteration, then tells the run and the subscribers: events go out only for what is
 * stored (or could not be, see persistence health), a repeated iteration number only once.
 */
function recordIteration(message: IterationDoneMessage, target: AttemptMessageTarget): void {
  const { runId, name, store, persistence, log } = target;
  target.setCurrentIteration(null);
  const iteration: IterationRecord = {
    runId,
    attempt: target.attempt,
    iteration: message.iteration,
    status: message.status,
    durationMs: message.durationMs,
    summary: message.summary ?? null,
    error: message.error ?? null,
    ...(message.errorDetail === undefined ? {} : { errorDetail: message.errorDetail }),
    usage: message.usage ?? null,
    finishedAt: Date.now(),
  };
  // Undefined when it waits in memory (a full disk) or was refused: told as new.
  const fresh =
    persistence.persist('record iteration', iteration, (record) => store.recordIteration(record)) ??
    true;
  if (fresh) {
    target.listener.iteration(iteration);
    target.emit({ type: 'iteration_done', runId, name, iteration });
  }
  if (message.status === 'error') {
    log.line('x', `iteration ${message.iteration} failed: ${message.error ?? 'no detail'}`);
  }
}
