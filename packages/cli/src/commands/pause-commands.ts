import { formatBudgetSpend } from '../budget-format.js';
import { REQUEST_TIMEOUT_MS, withDaemon } from '../daemon-client.js';
import { printJson } from '../output.js';

interface Base {
  home: string;
  json: boolean;
}

/**
 * `x agent pause <run> [--reason <text>]`: the runner finishes the step or turn in progress and
 * starts no new one until `x agent resume`; it keeps its process. Prints
 * `paused spender (run r-…): paused by an operator`; `--json`: the RunRecord (state `paused`).
 * Pausing a paused run keeps its first reason. The daemon's errors (-32001 no such run,
 * -32025 a run that is not running) reach main as they come.
 */
export async function agentPause(options: Base & { ref: string; reason?: string | undefined }) {
  const run = await withDaemon(options.home, (client) =>
    client.agent.pause({ ref: options.ref, reason: options.reason }),
  );
  if (options.json) {
    printJson(run);
    return;
  }
  process.stdout.write(
    `paused ${run.name} (run ${run.runId}): ${run.pause?.reason ?? `state ${run.state}`}\n`,
  );
}

/** How `x agent resume` changes the budget first: `agent.resume` params. */
export interface BudgetChangeFlags {
  maxCostUsd?: number | undefined;
  addCostUsd?: number | undefined;
  maxTokens?: number | undefined;
  maxCostPerDayUsd?: number | undefined;
}

/**
 * `x agent resume <run> [--max-cost <usd> | --add-cost <usd>] [--max-tokens <n>]
 * [--max-cost-per-day <usd>]`: changes the budget, then resumes. Prints
 * `resumed spender: budget $1.50 (spent $1.00)` (`resumed spender (run r-…)` without a budget);
 * `--json`: the RunRecord (state `running`). A run still over its budget is refused by the
 * daemon (-32602, naming the limit and the spend), one that is not paused too (-32025).
 */
export async function agentResume(options: Base & { ref: string } & BudgetChangeFlags) {
  const { run, spent } = await withDaemon(options.home, async (client) => {
    // What was spent, for the line (a RunRecord does not carry it), read while still paused:
    // once resumed, the next step may report more before it could be read.
    const before = options.json
      ? undefined
      : await client.agent.status(
          { ref: options.ref, iterations: 0 },
          { timeoutMs: REQUEST_TIMEOUT_MS },
        );
    const resumed = await client.agent.resume({
      ref: options.ref,
      maxCostUsd: options.maxCostUsd,
      addCostUsd: options.addCostUsd,
      maxTokens: options.maxTokens,
      maxCostPerDayUsd: options.maxCostPerDayUsd,
    });
    return { run: resumed, spent: before?.usage };
  });
  if (options.json) {
    printJson(run);
    return;
  }
  const budget = formatBudgetSpend(run.options.budget, spent);
  process.stdout.write(
    budget === null
      ? `resumed ${run.name} (run ${run.runId})\n`
      : `resumed ${run.name}: ${budget}\n`,
  );
}

/**
 * `x agent budget <run> [--max-cost <usd> | --add-cost <usd>] [--max-tokens <n>]
 * [--max-cost-per-day <usd>] [--on-budget pause|stop]`: changes an active run's budget without
 * resuming it (`agent.budget`). Prints `spender: budget $2.00 (spent $1.00); paused`;
 * `--json`: the RunRecord. A running run already over the new budget is paused at once.
 */
export async function agentBudget(
  options: Base & { ref: string } & BudgetChangeFlags & { onBudget?: 'pause' | 'stop' | undefined },
) {
  const { run, spent } = await withDaemon(options.home, async (client) => {
    const changed = await client.agent.budget({
      ref: options.ref,
      maxCostUsd: options.maxCostUsd,
      addCostUsd: options.addCostUsd,
      maxTokens: options.maxTokens,
      maxCostPerDayUsd: options.maxCostPerDayUsd,
      onBudget: options.onBudget,
    });
    const status = options.json
      ? undefined
      : await client.agent.status(
          { ref: options.ref, iterations: 0 },
          { timeoutMs: REQUEST_TIMEOUT_MS },
        );
    return { run: changed, spent: status?.usage };
  });
  if (options.json) {
    printJson(run);
    return;
  }
  const budget = formatBudgetSpend(run.options.budget, spent) ?? 'no budget';
  process.stdout.write(`${run.name}: ${budget}; ${run.state}\n`);
}
