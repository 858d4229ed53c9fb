import type { ModelPrices } from '@x/ipc';
import type { AgentLoopSink } from './agent-loop-sink.js';
import type { AgentStore } from './agent-store.js';
import { askPermission } from './ask-permission.js';
import { checkPermissionRequest } from './check-permission-request.js';
import type { CheckpointTaker } from './checkpoint-taker.js';
import type { AgentContext, RestoredCheckpoint, TurnContext, UsageReport } from './define-agent.js';
import { findJsonProblem } from './json-value.js';
import type { PauseGate } from './pause-gate.js';
import { readLogArguments } from './log-arguments.js';
import { usageProblems, copyUsage } from './usage-check.js';

/** `ctx.modelPrices`: a frozen copy of `prices` (the caller's object is left as it is), `{}` for none. */
export function frozenPrices(prices: Readonly<ModelPrices> | undefined): Readonly<ModelPrices> {
  const copy: ModelPrices = {};
  for (const [model, price] of Object.entries(prices ?? {})) {
    copy[model] = Object.freeze({ ...price });
  }
  return Object.freeze(copy);
}

/** The run a context belongs to. */
export interface ContextRun {
  readonly runId: string;
  readonly name: string;
  readonly params: Record<string, unknown>;
  readonly sink: AgentLoopSink;
  /** `ctx.restored`: the checkpoint the run resumes from, if any. */
  readonly restored: RestoredCheckpoint | undefined;
  /** `ctx.modelPrices`: the operator's prices by model id (frozen). */
  readonly modelPrices: Readonly<ModelPrices>;
  /** Where `ctx.checkpoint` goes. */
  readonly checkpoints: CheckpointTaker;
  /** `ctx.store`: the run's records. */
  readonly store: AgentStore;
  /** False once the run has finished: calls then reach nobody. */
  live(): boolean;
  /** The loop's pause state: `ctx.pauseReason()` and `ctx.whenResumed()` read it. */
  readonly gate: Pick<PauseGate, 'reason' | 'whenOpen'>;
  /** Undefined once the supervisor has handled the usage sent so far, else when it has (`ctx.whenResumed()`). */
  usageHandled(): Promise<void> | undefined;
}

/** The piece of work (setup, a step, a turn, teardown) a context is made for. */
export interface ContextWork {
  /** 1-based iteration of a step; 0 for setup, teardown and turns. */
  readonly iteration: number;
  readonly state: unknown;
  /** `ctx.signal`: aborted by a stop (and, for a turn, by its cancel). */
  readonly signal: AbortSignal;
  /**
   * Aborted when this work has ended: a permission request it left pending is then
   * withdrawn, and one it makes afterwards is denied without asking.
   */
  readonly scope: AbortSignal;
}

/**
 * The `ctx` of setup, a step or teardown. Every method checks its arguments before anything
 * is sent, so that a mistake throws a TypeError where it was made (naming the value and the
 * fix) instead of becoming a frame the supervisor refuses.
 */
export function makeAgentContext(
  run: ContextRun,
  work: ContextWork,
): AgentContext & { readonly state: unknown } {
  const { sink } = run;
  const { signal, scope } = work;
  return {
    runId: run.runId,
    name: run.name,
    iteration: work.iteration,
    params: run.params,
    state: work.state,
    signal,
    log(...args: unknown[]) {
      const { level, message } = readLogArguments(args);
      if (run.live()) {
        sink.log(level, message);
      }
    },
    notify(payload?: unknown) {
      const problem = payload === undefined ? undefined : findJsonProblem(payload, 'payload');
      if (problem !== undefined) {
        throw new TypeError(`@x/kernel: ctx.notify(payload): ${problem}`);
      }
      if (run.live()) {
        sink.notify(payload);
      }
    },
    requestPermission(request) {
      const checked = checkPermissionRequest(request);
      if (!run.live() || signal.aborted || scope.aborted || sink.requestPermission === undefined) {
        return Promise.resolve('denied');
      }
      return askPermission(sink.requestPermission.bind(sink), checked, signal, scope);
    },
    restored: run.restored,
    modelPrices: run.modelPrices,
    store: run.store,
    checkpoint(state: unknown) {
      return run.checkpoints.take(state, work.iteration);
    },
    pauseReason() {
      return run.gate.reason;
    },
    async whenResumed(options?: { wait?: boolean }) {
      // After a report, a pause it caused may still be on its way: wait for it first.
      const handled = run.usageHandled();
      if (handled !== undefined) {
        await handled;
      }
      const reason = run.gate.reason;
      if (reason === undefined || options?.wait === false) {
        return reason;
      }
      await run.gate.whenOpen(AbortSignal.any([signal, scope]));
      return undefined;
    },
    reportUsage(usage: UsageReport) {
      const report = checkUsageReport(usage);
      if (run.live() && Object.keys(report).length > 0 && sink.usage !== undefined) {
        sink.usage(report);
      }
    },
  };
}

/** The `ctx` of a turn: the agent context with the turn's id and `reportUsage`. */
export function makeTurnContext(
  run: ContextRun,
  work: ContextWork,
  turn: { readonly turnId: string; addUsage(usage: UsageReport): void },
): TurnContext<Record<string, unknown>, unknown> {
  return {
    ...makeAgentContext(run, work),
    turnId: turn.turnId,
    reportUsage(usage: UsageReport) {
      // Summed into turn_result.usage, split by model (see TurnContext); and, for a host that
      // reports it at once (so budgets see it before the turn ends), sent now.
      const report = checkUsageReport(usage);
      turn.addUsage(report);
      if (run.live() && Object.keys(report).length > 0) {
        run.sink.turnUsage?.(turn.turnId, report);
      }
    },
  };
}

/**
 * A copy of what `ctx.reportUsage` was given, once checked.
 * @throws TypeError naming each bad field, the value and what is expected.
 */
function checkUsageReport(usage: UsageReport): UsageReport {
  const problems = usageProblems(usage, 'usage', { model: true });
  if (problems.length > 0) {
    throw new TypeError(`@x/kernel: ctx.reportUsage: ${problems.join('; ')}`);
  }
  const report: UsageReport = copyUsage(usage);
  if (usage.model !== undefined) {
    report.model = usage.model;
  }
  return report;
}
