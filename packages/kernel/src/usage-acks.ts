import type { UsageHeadroom } from '@x/ipc';

/** Unacknowledged reports whose spend is kept to compare with the headroom: 1024. */
const MAX_TRACKED = 1024;
/** Cost margin kept below the headroom (float sums, the supervisor's nano-dollar rounding). */
const COST_MARGIN_USD = 1e-6;

/** What a report spends, as far as the headroom is concerned. */
export interface ReportSpend {
  costUsd?: number | undefined;
  inputTokens?: number | undefined;
  outputTokens?: number | undefined;
}

interface Pending {
  ack: number;
  costUsd: number;
  tokens: number;
}

/**
 * Whether the supervisor has counted the usage reports sent so far, so that
 * `ctx.whenResumed()` sees a pause the last report caused (a run then overshoots its budget
 * by at most one model call). For a supervisor that offers acks (`init.budgeted` present):
 * under a budget each report asks for a `usage_ack` (`usage.ack`, 1, 2, …), answered in order
 * after the `pause` it caused, if any; under none no report asks and nothing is awaited.
 * `budget_state` switches between the two. An ack may bring the run's headroom: while the
 * reports sent since add up to less, none of them can have caused a pause, and nothing is
 * awaited either. Holds the spend of at most 1024 unacknowledged reports (past that, the
 * headroom is not used until they are acknowledged) and one waiter per report awaited.
 */
export class UsageAcks {
  #budgeted: boolean;
  #asked = 0;
  #acked = 0;
  #closed = false;
  #waiters: { ack: number; promise: Promise<void>; resolve: () => void }[] = [];
  /** As of the last ack; Infinity where no limit applies; undefined: none known. */
  #headroom: { costUsd: number; tokens: number } | undefined;
  #pending: Pending[] = [];
  /** Reports went untracked (too many unacknowledged): the headroom is not used for them. */
  #untracked = false;

  /** @param budgeted `init.budgeted`: whether a budget applies to the run at its start. */
  constructor(budgeted: boolean) {
    this.#budgeted = budgeted;
  }

  /** Whether a budget applies now (reports ask for an ack). */
  get budgeted(): boolean {
    return this.#budgeted;
  }

  /**
   * A `budget_state`: under no budget a report can pause nothing, so waits end at once; under
   * one, reports ask for acks from the next on. Either way a headroom known so far is dropped
   * (the limits changed).
   */
  setBudgeted(budgeted: boolean): void {
    this.#budgeted = budgeted;
    this.#headroom = undefined;
    if (!budgeted) {
      this.answer(this.#asked);
    }
  }

  /** Usage went out another way (`iteration_done`, `turn_result`): the headroom no longer holds. */
  dropHeadroom(): void {
    this.#headroom = undefined;
  }

  /** A report is about to be sent: its `ack` number, or undefined when it asks none. */
  ask(spend: ReportSpend): number | undefined {
    if (!this.#budgeted || this.#closed) {
      return undefined;
    }
    this.#asked += 1;
    if (this.#untracked || this.#pending.length >= MAX_TRACKED) {
      this.#untracked = true;
    } else {
      this.#pending.push({
        ack: this.#asked,
        costUsd: spend.costUsd ?? 0,
        tokens: (spend.inputTokens ?? 0) + (spend.outputTokens ?? 0),
      });
    }
    return this.#asked;
  }

  /**
   * The report numbered `ack` was counted (a `usage_ack`), and so every report before it (the
   * supervisor answers in order), leaving `headroom`; also called, without one, when the
   * report could not be sent.
   */
  answer(ack: number, headroom?: UsageHeadroom): void {
    if (ack <= this.#acked) {
      return;
    }
    this.#acked = Math.min(ack, this.#asked);
    this.#headroom =
      headroom === undefined
        ? undefined
        : { costUsd: headroom.costUsd ?? Infinity, tokens: headroom.tokens ?? Infinity };
    this.#pending = this.#pending.filter((report) => report.ack > this.#acked);
    if (this.#acked === this.#asked) {
      this.#untracked = false;
    }
    const done = this.#waiters.filter((waiter) => waiter.ack <= this.#acked);
    this.#waiters = this.#waiters.filter((waiter) => waiter.ack > this.#acked);
    done.forEach((waiter) => waiter.resolve());
  }

  /**
   * Undefined when every report sent has been counted (the usual case, and always under no
   * budget), or the ones not yet counted stay within the headroom; else a promise that
   * resolves once the last one sent has been. Never rejects.
   */
  handled(): Promise<void> | undefined {
    if (this.#acked >= this.#asked || this.#withinHeadroom()) {
      return undefined;
    }
    const ack = this.#asked;
    const last = this.#waiters.at(-1);
    if (last?.ack === ack) {
      return last.promise;
    }
    let resolve!: () => void;
    const promise = new Promise<void>((settle) => (resolve = settle));
    this.#waiters.push({ ack, promise, resolve });
    return promise;
  }

  /** The supervisor went away or the run ended: nobody will answer; every wait ends now. */
  close(): void {
    this.#closed = true;
    this.answer(this.#asked);
  }

  #withinHeadroom(): boolean {
    const headroom = this.#headroom;
    if (headroom === undefined || this.#untracked) {
      return false;
    }
    let costUsd = 0;
    let tokens = 0;
    for (const report of this.#pending) {
      costUsd += report.costUsd;
      tokens += report.tokens;
    }
    return costUsd < headroom.costUsd - COST_MARGIN_USD && tokens < headroom.tokens;
  }
}
