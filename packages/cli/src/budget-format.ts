import type { RunBudgetOptions, RunPause, RunUsage, UsageTotals } from '@x/daemon';
import { formatDuration, formatTime } from './output.js';

// Type-only imports: this module loads with `x agent list|status`, which must not load SQLite.

/**
 * Dollars and cents (`$1.02`), unless cents would hide the amount (`$0.005`): then up to 6
 * decimals. As the daemon words budgets in its explanations (budget-policy.ts).
 */
export function formatUsd(usd: number): string {
  if (!Number.isFinite(usd)) {
    return `$${usd}`;
  }
  if (Math.abs(usd) >= 1 || Number(usd.toFixed(2)) === usd) {
    return `$${usd.toFixed(2)}`;
  }
  return `$${usd.toFixed(6).replace(/(\.\d\d\d*?)0+$/, '$1')}`;
}

/** `1 234 567`: digits grouped by three with spaces (no locale, so scripts read it the same). */
export function formatCount(count: number): string {
  return Number.isSafeInteger(count)
    ? String(count).replace(/\B(?=(\d{3})+$)/g, ' ')
    : String(count);
}

/** `512 B`, `1.5 KiB`, `3.0 MiB`. */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) {
    return `${bytes} B`;
  }
  if (bytes < 1024 * 1024) {
    return `${(bytes / 1024).toFixed(1)} KiB`;
  }
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}

/** True when a run has reported any usage. Daemons before issue 10 send none: undefined. */
export function hasUsage(usage: UsageTotals | undefined): usage is UsageTotals {
  return usage !== undefined && usage !== null && usage.calls > 0;
}

/**
 * The `usage` line of `x agent status`:
 * `1 234 in / 567 out tokens, $0.42 (3 reports; 1 without a cost)`.
 */
export function formatUsage(usage: UsageTotals): string {
  const reports = `${formatCount(usage.calls)} report${usage.calls === 1 ? '' : 's'}`;
  const withoutCost =
    usage.callsWithoutCost === 0 ? '' : `; ${formatCount(usage.callsWithoutCost)} without a cost`;
  return `${formatCount(usage.inputTokens)} in / ${formatCount(usage.outputTokens)} out tokens, ${formatUsd(usage.costUsd)} (${reports}${withoutCost})`;
}

/**
 * The TOKENS and COST cells of `x agent list`: blank when nothing of the kind was reported.
 * COST is `$0.12`; `$0.12+` when some reports gave no cost (a model the price catalog does
 * not know, or none named: the spend is at least that); `?` when none of them gave one.
 */
export function usageCells(usage: UsageTotals | undefined): [string, string] {
  if (!hasUsage(usage)) {
    return ['', ''];
  }
  const tokens = usage.inputTokens + usage.outputTokens;
  const costed = usage.calls - usage.callsWithoutCost;
  const cost =
    costed === 0 ? '?' : `${formatUsd(usage.costUsd)}${usage.callsWithoutCost > 0 ? '+' : ''}`;
  return [tokens === 0 ? '' : formatCount(tokens), cost];
}

/**
 * The `budget` line of `x agent status`: `$1.00 max cost, pause when reached`, or
 * `$5.00 max cost, 100 000 max tokens, $1.00 max cost per UTC day, stop when reached`; null
 * when the run has no budget.
 */
export function formatBudget(budget: RunBudgetOptions | null | undefined): string | null {
  if (budget === undefined || budget === null) {
    return null;
  }
  const limits: string[] = [];
  if (budget.maxCostUsd != null) {
    limits.push(`${formatUsd(budget.maxCostUsd)} max cost`);
  }
  if (budget.maxTokens != null) {
    limits.push(`${formatCount(budget.maxTokens)} max tokens`);
  }
  if (budget.maxCostPerDayUsd != null) {
    limits.push(`${formatUsd(budget.maxCostPerDayUsd)} max cost per UTC day`);
  }
  if (limits.length === 0 && budget.onBudget === undefined) {
    return null;
  }
  const action = `${budget.onBudget ?? 'pause'} when reached`;
  return limits.length === 0
    ? `none of its own (the daemon's daily budget: ${action})`
    : [...limits, action].join(', ');
}

/**
 * The one line of `x agent resume`: `budget $1.50 (spent $1.00)`, each limit with what was
 * spent against it when known (the daily one is counted per UTC day: its spend is not shown);
 * null without a budget.
 */
export function formatBudgetSpend(
  budget: RunBudgetOptions | null | undefined,
  usage: UsageTotals | undefined,
): string | null {
  if (budget === undefined || budget === null) {
    return null;
  }
  const parts: string[] = [];
  if (budget.maxCostUsd != null) {
    const spent = usage === undefined ? '' : ` (spent ${formatUsd(usage.costUsd)})`;
    parts.push(`${formatUsd(budget.maxCostUsd)}${spent}`);
  }
  if (budget.maxTokens != null) {
    const spent =
      usage === undefined ? '' : ` (spent ${formatCount(usage.inputTokens + usage.outputTokens)})`;
    parts.push(`${formatCount(budget.maxTokens)} tokens${spent}`);
  }
  if (budget.maxCostPerDayUsd != null) {
    parts.push(`${formatUsd(budget.maxCostPerDayUsd)} per UTC day`);
  }
  return parts.length === 0 ? null : `budget ${parts.join(', ')}`;
}

/**
 * The `paused` line of `x agent status`: why, and since when:
 * `cost $1.02 reached the budget of $1.00 (--max-cost) since 2026-12-07T12:00:01.000Z (4.1s ago)`.
 */
export function formatPause(pause: RunPause, now: number): string {
  const by = pause.by === 'client' && !/operator/.test(pause.reason) ? ' (x agent pause)' : '';
  return `${pause.reason}${by} since ${formatTime(pause.at)} (${formatDuration(Math.max(0, now - pause.at))} ago)`;
}

/**
 * How to resume a paused run, for the hint under `x agent status`: the option that lifts the
 * limit it reached (`x agent resume watch --add-cost <usd>`), or a plain resume for an
 * operator's pause.
 */
export function resumeHint(name: string, pause: RunPause): string {
  const resume = `x agent resume ${name}`;
  switch (pause.limit) {
    case 'maxCostUsd':
      return `resume with ${resume} --add-cost <usd> (or --max-cost <usd>)`;
    case 'maxTokens':
      return `resume with ${resume} --max-tokens <n>`;
    case 'maxCostPerDayUsd':
      return `resume with ${resume} --max-cost-per-day <usd>, or after 00:00 UTC`;
    case 'fleetCostPerDayUsd':
      return `the daemon's daily budget was reached: resume with ${resume} after 00:00 UTC, or restart the daemon with a higher --max-cost-per-day`;
    default:
      return `resume with ${resume}`;
  }
}

/** The `paused` field of `x agent status`, or none while the run is not paused. */
export function pausedField(
  run: { state: string; pause?: RunPause | null },
  now: number,
): [string, string][] {
  return run.state === 'paused' && run.pause != null
    ? [['paused', formatPause(run.pause, now)]]
    : [];
}

/**
 * The `cost unknown` field of `x agent status`: the models whose reports gave no cost, e.g.
 * `my-llm-7b (2 reports), acme-1 (1 report) and 3 more models: no price in the catalog or the
 * daemon's modelPrices (tokens counted)`; null when there are none (or the daemon, older, does
 * not say).
 */
export function formatModelsWithoutCost(usage: Partial<RunUsage>): string | null {
  const models = usage.modelsWithoutCost ?? [];
  if (models.length === 0) {
    return null;
  }
  const listed = models
    .map(
      ({ model, calls }) =>
        `${model ?? '(no model named)'} (${formatCount(calls)} report${calls === 1 ? '' : 's'})`,
    )
    .join(', ');
  const more = (usage.modelsWithoutCostTotal ?? models.length) - models.length;
  const others = more > 0 ? ` and ${formatCount(more)} more model${more === 1 ? '' : 's'}` : '';
  return `${listed}${others}: no price in the catalog or the daemon's modelPrices (tokens counted)`;
}

/**
 * The `usage` (when any was reported), `cost unknown` (models without a price), `budget` (when
 * set) and `warning` (a cost budget that cannot see some models) fields of `x agent status`.
 */
export function usageFields(
  usage: (UsageTotals & Partial<RunUsage>) | undefined,
  budget: RunBudgetOptions | null | undefined,
): [string, string][] {
  const fields: [string, string][] = [];
  if (hasUsage(usage)) {
    fields.push(['usage', formatUsage(usage)]);
    const unknown = formatModelsWithoutCost(usage);
    if (unknown !== null) {
      fields.push(['cost unknown', unknown]);
    }
  }
  const limits = formatBudget(budget);
  if (limits !== null) {
    fields.push(['budget', limits]);
  }
  if (usage?.costBudgetWarning != null) {
    fields.push(['warning', usage.costBudgetWarning]);
  }
  return fields;
}
