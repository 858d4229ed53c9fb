import type { ModelUsage, TurnUsage } from '@x/ipc';
import type { UsageReport } from './define-agent.js';

/** Most entries of `TurnUsage.models`: 64, the protocol's TURN_USAGE_MAX_MODELS. */
const MAX_ENTRIES = 64;
/** Entries kept for reports naming no model (with and without a cost): where the rest fold. */
const UNNAMED_ENTRIES = 2;

const COUNTS = ['inputTokens', 'outputTokens', 'costUsd'] as const;

function add(into: ModelUsage | TurnUsage, report: UsageReport): void {
  for (const key of COUNTS) {
    const value = report[key];
    if (value !== undefined) {
      into[key] = (into[key] ?? 0) + value;
    }
  }
}

/**
 * The usage of one turn (`turn_result.usage`): the sums of its `ctx.reportUsage` calls and,
 * when a report named a model or only some gave a cost, the same split by model and by
 * whether a cost was given (`models`), so the supervisor can tell a model without a price by
 * name. Bounded: past 62 models, further ones are counted under no model.
 */
export class TurnUsageSum {
  #sum: TurnUsage | undefined;
  readonly #entries = new Map<string, ModelUsage>();

  /** Adds one checked report. */
  add(report: UsageReport): void {
    const sum = (this.#sum ??= {});
    add(sum, report);
    const costed = report.costUsd !== undefined;
    let model = report.model;
    if (
      model !== undefined &&
      !this.#entries.has(`${costed}:${model}`) &&
      this.#entries.size >= MAX_ENTRIES - UNNAMED_ENTRIES
    ) {
      model = undefined;
    }
    const key = `${costed}:${model ?? ''}`;
    let entry = this.#entries.get(key);
    if (entry === undefined) {
      entry = model === undefined ? {} : { model };
      this.#entries.set(key, entry);
    }
    add(entry, report);
  }

  /** Undefined when nothing was reported. */
  get value(): TurnUsage | undefined {
    if (this.#sum === undefined) {
      return undefined;
    }
    const entries = [...this.#entries.values()];
    const split = entries.length > 1 || entries[0]?.model !== undefined;
    return split
      ? { ...this.#sum, models: entries.map((entry) => ({ ...entry })) }
      : { ...this.#sum };
  }
}
