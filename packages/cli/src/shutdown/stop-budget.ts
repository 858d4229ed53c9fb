import { isActiveState, type RunRecord } from '@x/daemon';

/**
 * Added to the runs' longest stop budget before `x daemon stop` escalates: 10 000 ms, for the
 * daemon to record the exits, answer and close (and for a slow, loaded machine).
 */
export const DAEMON_STOP_MARGIN_MS = 10_000;

/**
 * The budget assumed when the active runs cannot be read (the daemon does not answer
 * `agent.list`): 20 000 ms, the fixed wait of `x daemon stop` before it read budgets.
 */
export const DAEMON_STOP_UNKNOWN_BUDGET_MS = 20_000;

/** After SIGKILL, how long to wait for the daemon process to be gone: 5000 ms. */
export const DAEMON_STOP_KILL_WAIT_MS = 5_000;

/**
 * The longest stop budget of the active runs, ms: the most any of them may take to stop in
 * three phases (`options.stopBudget.ipcMs + sigtermMs`; the SIGKILL phase ends at once). The
 * daemon stops its runs in parallel, so the longest one is the whole shutdown. 0 with none.
 */
export function longestStopBudgetMs(runs: readonly RunRecord[]): number {
  let longest = 0;
  for (const run of runs) {
    if (isActiveState(run.state)) {
      const { ipcMs, sigtermMs } = run.options.stopBudget;
      longest = Math.max(longest, ipcMs + sigtermMs);
    }
  }
  return longest;
}
