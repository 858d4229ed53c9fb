import type { BudgetStateMessage } from '@x/ipc';

/**
 * What a runner is told of its run's budget after `init.budgeted`: a `budget_state` when
 * whether a budget applies changed, or when a budgeted run's limits changed (a headroom the
 * runner was given no longer holds), sent only once the runner can take it (ready, announced
 * `capabilities.usageAcks`, still there); what is due before then goes at its `ready`.
 */
export class BudgetStateTeller {
  #budgeted: boolean | undefined;
  #told: boolean | undefined;
  #due = false;

  /**
   * @param budgeted `init.budgeted` as sent (undefined: not sent).
   * @param canTell whether the runner can take a `budget_state` now.
   * @param send sends it.
   */
  constructor(
    budgeted: boolean | undefined,
    private readonly canTell: () => boolean,
    private readonly send: (message: BudgetStateMessage) => void,
  ) {
    this.#budgeted = this.#told = budgeted;
  }

  /** The run's budget changed: whether one applies now. */
  changed(budgeted: boolean): void {
    this.#budgeted = budgeted;
    this.#due = budgeted || budgeted !== this.#told;
    this.tell();
  }

  /** Sends what is due, if the runner can take it (call again at its `ready`). */
  tell(): void {
    const budgeted = this.#budgeted;
    if (budgeted !== undefined && this.#due && this.canTell()) {
      this.#due = false;
      this.#told = budgeted;
      this.send({ type: 'budget_state', budgeted });
    }
  }
}
