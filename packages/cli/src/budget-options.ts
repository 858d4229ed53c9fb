import { Option, type Command } from 'commander';
import type { RunBudgetOptions } from '@x/daemon';
import {
  parseCheckpointMaxBytes,
  parseCheckpointRef,
  parseNonNegativeInt,
  parseUsd,
  type CheckpointRef,
} from './option-parsers.js';

/** The durable-agent options of `x agent start`, as commander parses them. */
export interface BudgetFlags {
  maxCost?: number | undefined;
  maxTokens?: number | undefined;
  maxCostPerDay?: number | undefined;
  onBudget?: 'pause' | 'stop' | undefined;
  checkpointMaxBytes?: number | undefined;
  from?: CheckpointRef | undefined;
}

/**
 * Adds the budget and checkpoint options to `x agent start`: `--max-cost <usd>`,
 * `--max-tokens <n>`, `--max-cost-per-day <usd>`, `--on-budget pause|stop`,
 * `--checkpoint-max-bytes <bytes>` and `--from <run>[@<seq>]`.
 */
export function addBudgetOptions(command: Command): Command {
  return command
    .option(
      '--max-cost <usd>',
      "budget: the run's cost over every attempt, USD (as the agent reports it with ctx.reportUsage)",
      parseUsd,
    )
    .option(
      '--max-tokens <n>',
      "budget: the run's input + output tokens over every attempt",
      parseNonNegativeInt,
    )
    .option('--max-cost-per-day <usd>', "budget: the run's cost within one UTC day, USD", parseUsd)
    .addOption(
      new Option(
        '--on-budget <action>',
        'what reaching a budget does: pause (finish the step, start none until `x agent resume`) or stop (default pause)',
      ).choices(['pause', 'stop']),
    )
    .option(
      '--checkpoint-max-bytes <bytes>',
      "largest JSON of one checkpoint (ctx.checkpoint), bytes, at most 4194304 (default: the daemon's, 1048576)",
      parseCheckpointMaxBytes,
    )
    .option(
      '--from <run[@seq|@checkpoint]>',
      "start from another run's checkpoint, its newest or seq, or a LangGraph checkpoint id (its thread is copied up to it; see `x agent checkpoints <run>`): fork or replay it",
      parseCheckpointRef,
    );
}

/** The `agent.start` params of those options: absent ones are left out. */
export function budgetRequest(flags: BudgetFlags): {
  budget: RunBudgetOptions | undefined;
  checkpointMaxBytes: number | undefined;
  from: CheckpointRef | undefined;
} {
  const budget: RunBudgetOptions = {};
  if (flags.maxCost !== undefined) {
    budget.maxCostUsd = flags.maxCost;
  }
  if (flags.maxTokens !== undefined) {
    budget.maxTokens = flags.maxTokens;
  }
  if (flags.maxCostPerDay !== undefined) {
    budget.maxCostPerDayUsd = flags.maxCostPerDay;
  }
  if (flags.onBudget !== undefined) {
    budget.onBudget = flags.onBudget;
  }
  return {
    budget: Object.keys(budget).length === 0 ? undefined : budget,
    checkpointMaxBytes: flags.checkpointMaxBytes,
    from: flags.from,
  };
}
