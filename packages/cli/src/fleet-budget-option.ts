import type { Command } from 'commander';
import { parseUsd } from './option-parsers.js';

/** The daemon-wide budget, as `x daemon start|restart --max-cost-per-day <usd>` gives it. */
export interface FleetBudgetFlags {
  maxCostPerDay?: number | undefined;
}

/**
 * Adds `--max-cost-per-day <usd>` to `x daemon start|restart`: the cost of every run within
 * one UTC day. The daemon names this option when a run reaches it
 * (`BUDGET_LIMIT_OPTIONS.fleetCostPerDayUsd` of @x/daemon).
 */
export function addFleetBudgetOption(command: Command): Command {
  return command.option(
    '--max-cost-per-day <usd>',
    "daemon-wide budget: every run's cost within one UTC day, USD; the run whose usage reaches it is paused (or stopped, with its --on-budget stop) (default: none)",
    parseUsd,
  );
}

/** The flag again, as arguments for the detached `x daemon start --foreground`. */
export function fleetBudgetArgs(flags: FleetBudgetFlags): string[] {
  return flags.maxCostPerDay === undefined
    ? []
    : ['--max-cost-per-day', String(flags.maxCostPerDay)];
}

/** The flag as `startDaemon` options; absent: no daemon-wide budget. */
export function fleetBudgetOptions(flags: FleetBudgetFlags): {
  fleetBudget: { maxCostPerDayUsd: number } | undefined;
} {
  return {
    fleetBudget:
      flags.maxCostPerDay === undefined ? undefined : { maxCostPerDayUsd: flags.maxCostPerDay },
  };
}
