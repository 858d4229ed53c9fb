/**
 * What was thrown, as a runner reports it (`ErrorDetail` of runner protocol v1: name, message,
 * stack, code). Read from `run.exit.error`, else `run.exit.evidence.error`, of a failed start.
 */
interface ErrorDetail {
  name: string;
  message: string;
  stack?: string;
}

/** The part of a RunRecord (the `data.run` of START_FAILED) that explains a failed start. */
export interface FailedRun {
  exit?: {
    reason?: string;
    exitCode?: number | null;
    explanation?: string;
    stderrTail?: string;
    error?: unknown;
    evidence?: { error?: unknown } | null;
  } | null;
}

const STACK_FRAME = /^\s+at\s+\S.*$/m;

/**
 * The message of `x agent start` when the daemon answers START_FAILED (-32003): the daemon's
 * one line, then what the agent threw (`Error: cannot reach the model endpoint`) and the first
 * frame of its stack, when the run carries them, then the runner's stderr tail. Without an
 * error detail the first stack frame found in the explanation or the stderr tail is shown.
 */
export function describeStartFailure(message: string, run: FailedRun | undefined): string {
  const exit = run?.exit ?? undefined;
  const lines = [message];
  const detail = errorDetail(exit?.error) ?? errorDetail(exit?.evidence?.error);
  const thrown = detail === undefined ? undefined : `${detail.name}: ${detail.message}`;
  if (thrown !== undefined && !message.includes(thrown)) {
    lines.push(`  ${thrown}`);
  }
  const frame = firstStackFrame(detail?.stack, exit?.explanation, exit?.stderrTail);
  if (frame !== undefined && !message.includes(frame)) {
    lines.push(`    ${frame}`);
  }
  const tail = exit?.stderrTail?.trim();
  if (tail) {
    lines.push('--- runner stderr (tail) ---', tail);
  }
  return lines.join('\n');
}

/** True when a failed start was a configuration error (exit reason `config_error`, or exit 78). */
export function isConfigFailure(run: FailedRun | undefined): boolean {
  return run?.exit?.reason === 'config_error' || run?.exit?.exitCode === 78;
}

/** `at setup (file:///a/agent.mjs:6:11)`: the first frame line of the first text that has one. */
export function firstStackFrame(...texts: (string | undefined)[]): string | undefined {
  for (const text of texts) {
    const frame = text === undefined ? null : STACK_FRAME.exec(text);
    if (frame !== null) {
      return frame[0].trim();
    }
  }
  return undefined;
}

function errorDetail(value: unknown): ErrorDetail | undefined {
  if (typeof value !== 'object' || value === null) {
    return undefined;
  }
  const { name, message, stack } = value as Record<string, unknown>;
  if (typeof name !== 'string' || typeof message !== 'string') {
    return undefined;
  }
  return typeof stack === 'string' ? { name, message, stack } : { name, message };
}
