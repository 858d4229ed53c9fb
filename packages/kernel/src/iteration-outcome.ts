import type { IterationReport } from './agent-loop-sink.js';
import { describeThrown, describeWithStack, isConfigError, toErrorDetail } from './error-detail.js';
import { configEnding, type Ending } from './loop-ending.js';
import { MAX_TEXT_LENGTH, boundText } from './protocol-limits.js';
import { readStepResult } from './step-result.js';

/** How a step settled: what it returned, or what it threw. */
export type StepSettled = { threw: false; result: unknown } | { threw: true; error: unknown };

/** What one finished iteration means for its run. */
export interface IterationOutcome {
  /** What the loop reports to its sink (`iterationDone`). */
  report: IterationReport;
  /** Logged at `warn` before the report: one line per field of the result left out. */
  warnings: string[];
  /** Logged at `error` after the report: what the step threw, with its stack. */
  failure?: string;
  /** Set when the iteration ends the run: `done: true`, or a ConfigError (`X_AGENT_CONFIG`). */
  end?: Ending;
}

/**
 * Judges iteration `iteration` (a step that settled after `durationMs` ms): an `ok` report
 * with the summary and usage it returned (each bad field left out and logged at `warn`, see
 * {@link readStepResult}); or, for a throw, an `error` report with what was thrown, the line
 * to log with its stack, and the run's end when it was a ConfigError (a restart will not fix
 * it). Pure: the loop does the reporting and logging.
 */
export function judgeIteration(
  iteration: number,
  durationMs: number,
  settled: StepSettled,
): IterationOutcome {
  if (settled.threw) {
    const { error } = settled;
    const errorDetail = toErrorDetail(error);
    return {
      report: { iteration, status: 'error', durationMs, error: describeThrown(error), errorDetail },
      warnings: [],
      failure: boundText(
        `iteration ${iteration} failed: ${describeWithStack(error)}`,
        MAX_TEXT_LENGTH,
      ),
      ...(isConfigError(error)
        ? { end: configEnding(`iteration ${iteration}`, error, errorDetail) }
        : {}),
    };
  }
  const fields = readStepResult(settled.result, iteration);
  const report: IterationReport = { iteration, status: 'ok', durationMs };
  if (fields.summary !== undefined) {
    report.summary = fields.summary;
  }
  if (fields.usage !== undefined) {
    report.usage = fields.usage;
  }
  return {
    report,
    warnings: fields.warnings,
    ...(fields.done ? { end: { reason: 'done' } } : {}),
  };
}
