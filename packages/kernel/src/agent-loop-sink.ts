import type { ErrorDetail, LogLevel, PermissionDecision, Usage } from '@x/ipc';
import type { StoreBatch } from './agent-store.js';
import type { CheckpointStore } from './checkpoint-taker.js';
import type { PermissionRequest, UsageReport } from './define-agent.js';
import type { TurnOutcome } from './turn.js';

/** One finished iteration, as reported to the sink. */
export interface IterationReport {
  iteration: number;
  status: 'ok' | 'error';
  durationMs: number;
  summary?: string;
  /** One line: `${name}: ${message}` for an Error, JSON for a thrown non-Error. */
  error?: string;
  /** With status `error` from a throw: what the step threw (name, message, stack, code). */
  errorDetail?: ErrorDetail;
  usage?: Usage;
}

/**
 * Where an `AgentLoop` reports what happens. Calls must not throw. The optional members are
 * for hosts that support them: without `requestPermission`, every permission request is
 * denied; without `checkpoint`, `ctx.checkpoint` rejects (`X_CHECKPOINT_UNSUPPORTED`); without
 * `usage`, `ctx.reportUsage` in setup, steps and teardown reaches nobody.
 */
export interface AgentLoopSink {
  iterationStart(iteration: number, startedAt: number): void;
  /**
   * Reports an iteration. A host whose channel is full returns a promise that settles once the
   * report is taken: the loop starts no next iteration before that (or a stop, or a turn), so a
   * back-to-back loop (`intervalMs: 0`) cannot outrun its supervisor.
   */
  iterationDone(report: IterationReport): void | Promise<void>;
  log(level: LogLevel, message: string): void;
  notify(payload: unknown): void;
  /**
   * `setup` finished (`ok: true`, turns and iterations follow; also called, at once, for an
   * agent without `setup`) or threw, or the run was stopped during it (`ok: false`).
   */
  setupDone?(result: { ok: true } | { ok: false; error: unknown }): void;
  /** A turn began (`startedAt` in ms since the Unix epoch). */
  turnStart?(turnId: string, startedAt: number): void;
  /** A turn ended: exactly once per submitted turn, whatever happened to it. */
  turnDone?(outcome: TurnOutcome): void;
  /**
   * Asks for permission on the agent's behalf. `signal` aborts when the asking context is
   * cancelled or stopped, or the step or turn that asked has ended: the loop then answers
   * `'denied'` itself and ignores the result, so the host should withdraw the pending
   * request. A rejection, or an answer other than `'granted'`, counts as `'denied'`.
   */
  requestPermission?(
    request: PermissionRequest,
    signal: AbortSignal,
  ): PermissionDecision | Promise<PermissionDecision>;
  /**
   * Stores a checkpoint (`ctx.checkpoint`): `state` is a JSON value within the size limit
   * (already checked), `meta.iteration` the iteration it was taken in (0 outside steps).
   * Resolves with its `seq` and `savedAt` once stored; a rejection reaches the agent (a
   * CheckpointError as is, anything else as `X_CHECKPOINT_REFUSED`). Without it,
   * `ctx.checkpoint` rejects with `X_CHECKPOINT_UNSUPPORTED`. Calls still pending when the run
   * ends are rejected for the agent with `X_CHECKPOINT_STOPPING`.
   */
  checkpoint?: CheckpointStore;
  /**
   * Applies a batch of record operations (`ctx.store`, already checked) and resolves with
   * their results once stored; a rejection reaches the agent as is (a StoreError). Without it,
   * `ctx.store` rejects with `X_STORE_UNSUPPORTED`.
   */
  store?: StoreBatch;
  /** Usage reported with `ctx.reportUsage` in setup, a step or teardown (checked, not empty). */
  usage?(usage: UsageReport): void;
  /**
   * Usage reported with `ctx.reportUsage` in the turn `turnId` (checked, not empty), for a host
   * that reports it at once; the turn's outcome sums it all the same (`TurnOutcome.usage`).
   * Without it, a turn's usage is known when the turn ends.
   */
  turnUsage?(turnId: string, usage: UsageReport): void;
  /**
   * Undefined when the supervisor has handled every `usage` report sent so far (or none can
   * pause the run: no budget applies); else a promise, never rejecting, that resolves once it
   * has, so that a `pause` a report caused has arrived: what `ctx.whenResumed()` awaits. Called
   * before every model call of an adapter: keep the undefined path a few field reads. Without
   * it, reports are taken as handled at once (an embedder's synchronous `onUsage`).
   */
  usageHandled?(): Promise<void> | undefined;
}
