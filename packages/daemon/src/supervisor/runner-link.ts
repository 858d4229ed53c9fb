import type {
  CheckpointAckMessage,
  StoreResultMessage,
  SupervisorMessage,
  UsageHeadroom,
} from '@x/ipc';
import type { LaunchedRunner } from '../launch/runner-launcher.js';
import type { AttemptHandshake } from './attempt-handshake.js';
import { BudgetStateTeller } from './budget-state-teller.js';

/** What a {@link RunnerLink} reads of its attempt (a RunAttempt gives these). */
export interface RunnerLinkDeps {
  /** The attempt's number (1 for a run's first), as its record has it. */
  readonly attempt: number;
  /** `init.budgeted` as sent to the runner (undefined: not sent). */
  readonly budgeted: boolean | undefined;
  /** The attempt's handshake: what the runner announced in `ready.capabilities`. */
  readonly handshake: AttemptHandshake;
  /** The launched runner, or undefined before the launch. */
  runner(): LaunchedRunner | undefined;
  /** True once the runner's exit was observed. */
  exited(): boolean;
  /** True once a stop of the attempt has begun (its first phase at least). */
  stopping(): boolean;
  /** A line for the run log (a send that failed). */
  log(line: string): void;
}

/**
 * What the daemon can ask of one attempt's runner over its IPC channel, and what that runner
 * announced it can do (`ready.capabilities`): turns, pause and resume, budget state, and the
 * answers to its checkpoints, store calls, permission requests and usage. Every method but
 * {@link sendTurn} is a no-op once the runner exited or its channel closed; a send that fails
 * later (`X_IPC_BACKPRESSURE`, `X_IPC_CHANNEL_CLOSED`…) is a run-log line, not a throw.
 * The attempt (`RunAttempt`) owns the launch, the handshake and the exit; the run's
 * parts (turns, pause, permissions, durability) use this.
 */
export class RunnerLink {
  /** The attempt's number (1 for a run's first). */
  readonly attempt: number;
  readonly #deps: RunnerLinkDeps;
  /** What the runner is told of the run's budget after `init.budgeted`. */
  readonly #budgetState: BudgetStateTeller;

  constructor(deps: RunnerLinkDeps) {
    this.attempt = deps.attempt;
    this.#deps = deps;
    this.#budgetState = new BudgetStateTeller(
      deps.budgeted,
      () => deps.handshake.can('usageAcks') && this.open,
      (message) => this.send(message),
    );
  }

  /** True while the runner is there to read a message: not exited, its channel open. */
  get open(): boolean {
    return !this.#deps.exited() && this.#deps.runner()?.channel.closed === false;
  }

  /**
   * True while the runner can take a turn: handshake completed, it announced
   * `capabilities.turns`, no stop has begun, and it has not exited.
   */
  get acceptsTurns(): boolean {
    const { handshake } = this.#deps;
    return handshake.completed && handshake.can('turns') && !this.#deps.stopping() && this.open;
  }

  /** True when the runner announced `capabilities.turns` in its `ready`. */
  get turnsCapable(): boolean {
    return this.#deps.handshake.can('turns');
  }

  /** True when the runner announced `capabilities.pause`: it can be told `pause` and `resume`. */
  get pausable(): boolean {
    return this.#deps.handshake.can('pause');
  }

  /** True when the agent declared its turns idempotent (`capabilities.retryTurns`). */
  get retryTurns(): boolean {
    return this.#deps.handshake.can('retryTurns');
  }

  /**
   * Sends `message`, whatever the runner's state (the attempt's own `init` and `stop`); a
   * failure is logged.
   */
  send(message: SupervisorMessage): void {
    this.#deps
      .runner()
      ?.channel.send(message)
      .catch((error: Error) => {
        this.#deps.log(`could not send ${message.type}: ${error.message}`);
      });
  }

  /**
   * Sends a turn (see {@link acceptsTurns}); the answer comes as the attempt listener's
   * `turnResult`. Resolves once the runner's channel took it.
   * @throws IpcError (as a rejection) when it cannot be delivered: `X_IPC_BACKPRESSURE` (the
   *   runner is not reading), `X_IPC_ENCODE_FAILED` / `X_IPC_FRAME_TOO_LARGE` (the input),
   *   `X_IPC_CHANNEL_CLOSED`; a runner that was never launched rejects with a plain Error.
   */
  sendTurn(turnId: string, input: unknown): Promise<void> {
    const runner = this.#deps.runner();
    if (runner === undefined) {
      return Promise.reject(new Error('the runner was not launched'));
    }
    return runner.channel.send(
      input === undefined ? { type: 'turn', turnId } : { type: 'turn', turnId, input },
    );
  }

  /** Asks the runner to cancel a queued or running turn (it answers `turn_result` cancelled). */
  cancelTurn(turnId: string, reason?: string): void {
    if (this.#deps.exited()) {
      return;
    }
    this.send(
      reason === undefined
        ? { type: 'turn_cancel', turnId }
        : { type: 'turn_cancel', turnId, reason },
    );
  }

  /** Answers a `checkpoint`. */
  ackCheckpoint(ack: CheckpointAckMessage): void {
    if (this.open) {
      this.send(ack);
    }
  }

  /** Answers a `store`. */
  answerStore(result: StoreResultMessage): void {
    if (this.open) {
      this.send(result);
    }
  }

  /** Tells a pausable runner to start no new iteration or turn (`pause`), or to go on (`resume`). */
  setPaused(paused: boolean, reason = 'paused'): void {
    if (this.pausable && this.open) {
      this.send(paused ? { type: 'pause', reason: reason.slice(0, 1024) } : { type: 'resume' });
    }
  }

  /**
   * The run's budget changed: tells a runner that announced `capabilities.usageAcks` whether
   * a budget applies now (`budget_state`), when that differs from what it was told
   * (`init.budgeted`, the last `budget_state`) or a budget applies (its limits may have
   * changed: a headroom it was given no longer holds); before its `ready`, at its `ready`.
   */
  setBudgeted(budgeted: boolean): void {
    this.#budgetState.changed(budgeted);
  }

  /** The runner is ready: sends the `budget_state` that was due before it could take one. */
  ready(): void {
    this.#budgetState.tell();
  }

  /** Answers a `usage` that asked for an ack, once counted, with the run's headroom if known. */
  ackUsage(ack: number, headroom?: UsageHeadroom): void {
    if (this.open) {
      this.send(
        headroom === undefined ? { type: 'usage_ack', ack } : { type: 'usage_ack', ack, headroom },
      );
    }
  }

  /** Answers a `permission_request`. */
  answerPermission(requestId: string, decision: 'granted' | 'denied', reason?: string): void {
    if (this.open) {
      this.send(
        reason === undefined
          ? { type: 'permission_response', requestId, decision }
          : { type: 'permission_response', requestId, decision, reason },
      );
    }
  }
}
