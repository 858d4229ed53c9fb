import type { InitMessage, StoreOp, UsageAckMessage, UsageMessage } from '@x/ipc';
import type { UsageReport } from './define-agent.js';
import { UsageAcks } from './usage-acks.js';
import { UsageBarrier } from './usage-barrier.js';

/** The record namespace the fallback barrier reads (nothing is ever written there). */
const USAGE_BARRIER_NS = 'x.usage-barrier';

/** What {@link UsageReports} sends with and reads. */
export interface UsageReportsDeps {
  /** What the supervisor offered: `budgeted` (usage acks) and `storeMaxBytes` (records). */
  init: Pick<InitMessage, 'budgeted' | 'storeMaxBytes'>;
  /** Sends a `usage` frame (retried under backpressure); rejects when it could not be sent. */
  send(message: UsageMessage): Promise<void>;
  /** Reports a frame that could not be sent. */
  dropped(error: Error): void;
  /** A record-store request (the fallback barrier's read): answered after what was sent before it. */
  store(ops: StoreOp[]): Promise<unknown>;
}

/**
 * A hosted runner's `usage` reports, and whether the supervisor has counted them
 * (`ctx.whenResumed()`). A supervisor that offers acks (`init.budgeted`) is asked for one per
 * report while a budget applies ({@link UsageAcks}); one that does not, but keeps records,
 * gets a record-store read after reports as a barrier (the supervisor handles messages in
 * order; {@link UsageBarrier}); any other is trusted at once.
 */
export class UsageReports {
  readonly #deps: UsageReportsDeps;
  readonly #acks: UsageAcks | undefined;
  readonly #barrier: UsageBarrier | undefined;

  constructor(deps: UsageReportsDeps) {
    this.#deps = deps;
    const { budgeted, storeMaxBytes } = deps.init;
    this.#acks = budgeted === undefined ? undefined : new UsageAcks(budgeted);
    this.#barrier =
      budgeted === undefined && storeMaxBytes !== undefined
        ? new UsageBarrier(() => deps.store([{ op: 'get', ns: USAGE_BARRIER_NS, key: 'barrier' }]))
        : undefined;
  }

  /**
   * Whether a turn's usage is reported call by call (`usage.turnId`, then
   * `turn_result.usage.counted`): only to a supervisor that offers acks (`init.budgeted`), which
   * knows both fields (another would count the turn's usage twice).
   */
  get reportsTurns(): boolean {
    return this.#acks !== undefined;
  }

  /** Sends a checked, non-empty report of setup, a step, teardown or (see reportsTurns) a turn. */
  report(usage: UsageReport, turnId?: string): void {
    const ack = this.#acks?.ask(usage);
    this.#barrier?.sent();
    const message: UsageMessage = { type: 'usage', ...usage };
    if (ack !== undefined) {
      message.ack = ack;
    }
    if (turnId !== undefined) {
      message.turnId = turnId;
    }
    this.#deps.send(message).catch((error: Error) => {
      // Never sent, never answered: nothing to wait for.
      if (ack !== undefined) {
        this.#acks?.answer(ack);
      }
      this.#deps.dropped(error);
    });
  }

  /** See `AgentLoopSink.usageHandled`. */
  handled(): Promise<void> | undefined {
    return this.#acks !== undefined ? this.#acks.handled() : this.#barrier?.seen();
  }

  /** A `budget_state` from the supervisor. */
  budgetState(budgeted: boolean): void {
    this.#acks?.setBudgeted(budgeted);
  }

  /** A `usage_ack` from the supervisor. */
  acked(message: UsageAckMessage): void {
    this.#acks?.answer(message.ack, message.headroom);
  }

  /**
   * Usage went out in an `iteration_done` or a `turn_result`: the supervisor's last headroom
   * does not count it, so it no longer holds.
   */
  spentElsewhere(): void {
    this.#acks?.dropHeadroom();
  }

  /** The supervisor went away or the run ended: no wait outlives it. */
  close(): void {
    this.#acks?.close();
  }
}
