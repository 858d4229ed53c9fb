import type { ErrorDetail, ExitReason, ModelPrices } from '@x/ipc';
import type { RestoredCheckpoint } from './define-agent.js';

/** What one run of an agent is given. */
export interface AgentLoopOptions {
  runId: string;
  name: string;
  params: Record<string, unknown>;
  /** Pause between the end of one iteration and the start of the next, in ms. */
  intervalMs: number;
  /** End the run (reason `max_iterations`) after this many iterations. @default unlimited */
  maxIterations?: number | undefined;
  /**
   * Most turns that may wait in the queue; a turn submitted beyond it ends at once with
   * status `error`. @default 1000 (MAX_QUEUED_TURNS)
   */
  maxQueuedTurns?: number | undefined;
  /** `ctx.restored`: the checkpoint this run resumes from. @default undefined (a fresh start) */
  restored?: RestoredCheckpoint | undefined;
  /**
   * Largest state `ctx.checkpoint` takes, as the UTF-8 bytes of its JSON text.
   * @default 1 048 576 (DEFAULT_CHECKPOINT_MAX_BYTES)
   */
  checkpointMaxBytes?: number | undefined;
  /** `ctx.modelPrices`: the operator's prices by model id. @default none (an empty object) */
  modelPrices?: Readonly<ModelPrices> | undefined;
}

/** How a run of the loop ended. */
export interface LoopOutcome {
  reason: ExitReason;
  /** Iterations that ran to their end (ok or error). */
  iterations: number;
  /**
   * Summary of the last iteration, or why the run failed; when teardown was abandoned it
   * starts with `teardown abandoned after N ms: the stop grace period ran out`.
   */
  summary?: string;
  /**
   * With reason `error`: what ended the run (setup threw, or a step or turn threw a
   * ConfigError). `config: true` means a restart cannot help (exit code 78, EX_CONFIG).
   */
  errorDetail?: ErrorDetail;
  /** Set when the stop grace ran out during teardown: how long teardown had run, in ms. */
  teardownAbandonedMs?: number;
}

/** Options of {@link AgentLoop.submitTurn}. */
export interface SubmitTurnOptions {
  /** Id of the turn, unique within the run. @default `t-1`, `t-2`, … */
  turnId?: string;
}
