import type { Usage } from '@x/ipc';
import { describeValue } from './describe-value.js';
import { MAX_TEXT_LENGTH, boundText } from './protocol-limits.js';
import { copyUsage, usageProblems } from './usage-check.js';

/** What a step returned, as the protocol carries it, and what had to be left out. */
export interface StepFields {
  /** The summary, cut to 65 536 characters (with a marker) when longer. */
  summary?: string;
  usage?: Usage;
  /** True only when the step returned `done: true`. */
  done: boolean;
  /**
   * One line per field that was left out, naming the iteration, the field, the value and
   * the fix: `iteration 3: usage.inputTokens must be a non-negative integer, got 10n; usage
   * not recorded`. The loop logs each at level `warn`.
   */
  warnings: string[];
}

/**
 * Reads what `step` returned (`{ summary?, done?, usage? }` or nothing) without ever losing
 * the iteration to one bad field: a field the protocol would refuse is left out and said
 * so in `warnings`, never changed quietly. A non-string `summary` (a number included:
 * String() of it would be a guess) and a non-boolean `done` are left out; a usage with any
 * bad field is left out whole, so that no partial count is recorded as if it were complete.
 * `null` counts as absent.
 */
export function readStepResult(result: unknown, iteration: number): StepFields {
  const fields: StepFields = { done: false, warnings: [] };
  if (result === undefined || result === null) {
    return fields;
  }
  const warn = (text: string) => fields.warnings.push(`iteration ${iteration}: ${text}`);
  if (typeof result !== 'object' || Array.isArray(result)) {
    warn(
      `step returned ${describeValue(result)}; expected { summary?, done?, usage? } or nothing, so the result was ignored (return { summary: … } to record it)`,
    );
    return fields;
  }
  const { summary, done, usage } = result as Record<string, unknown>;
  if (typeof summary === 'string') {
    fields.summary = boundText(summary, MAX_TEXT_LENGTH);
  } else if (summary !== undefined && summary !== null) {
    warn(
      `summary must be a string, got ${describeValue(summary)}; summary not recorded (return { summary: String(value) } to keep it)`,
    );
  }
  if (typeof done === 'boolean') {
    fields.done = done;
  } else if (done !== undefined && done !== null) {
    warn(
      `done must be a boolean, got ${describeValue(done)}; the run goes on (return { done: true } to end it)`,
    );
  }
  if (usage !== undefined && usage !== null) {
    const problems = usageProblems(usage);
    if (problems.length === 0) {
      fields.usage = copyUsage(usage);
    } else {
      warn(`${problems.join('; ')}; usage not recorded`);
    }
  }
  return fields;
}
