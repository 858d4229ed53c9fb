import type { PermissionRequestMessage } from '@x/ipc';
import type { PermissionDecidedBy, PermissionRecord } from '../persistence/records.js';

/** How long a permission request waits for an answer before it is denied (`timeout`): 30 min. */
export const PERMISSION_TIMEOUT_MS = 30 * 60 * 1000;

/** Pending permission requests a run may have at once: 100. Beyond, requests are denied at once. */
export const MAX_PENDING_PERMISSIONS = 100;

/** How a run answers permission requests on its own. */
export interface PermissionPolicy {
  /** Granted without asking: `true` for every tool, or these tool names; null for none. */
  autoApprove: true | readonly string[] | null;
  /** Unanswered requests are denied (reason `timeout`) after this long, ms. */
  timeoutMs: number;
}

/** What the broker tells its run; the run persists, sends `permission_response`, publishes. */
export interface PermissionHooks {
  /** A new request, before any decision about it. */
  requested(record: PermissionRecord): void;
  /** A request was decided (by policy, a client, the runner's withdrawal, its timeout, or the run's end). */
  decided(record: PermissionRecord): void;
}

/** Why {@link PermissionBroker.answer} did not take an answer. */
export type AnswerRefusal = 'not_pending';

/**
 * Pure policy: the decision a run makes on its own for a request of `tool`, or null when a
 * client must answer (or the timeout will).
 */
export function autoDecision(policy: PermissionPolicy, tool: string): 'granted' | null {
  if (policy.autoApprove === true) {
    return 'granted';
  }
  return policy.autoApprove?.includes(tool) === true ? 'granted' : null;
}

interface Pending {
  record: PermissionRecord;
  timer: ReturnType<typeof setTimeout>;
}

/**
 * The permission requests of one run: holds each pending until it is answered, in this order
 * of precedence: the run's `autoApprove` policy (at once), a client's answer, the runner's
 * withdrawal ({@link withdraw}), the timeout (`denied`, reason `timeout`), or the end of the
 * attempt ({@link denyAll}). Every request is decided exactly once. Memory: at most {@link MAX_PENDING_PERMISSIONS} pending; beyond that
 * a request is denied at once.
 */
export class PermissionBroker {
  readonly #runId: string;
  readonly #policy: PermissionPolicy;
  readonly #hooks: PermissionHooks;
  readonly #now: () => number;
  readonly #pending = new Map<string, Pending>();

  constructor(
    runId: string,
    policy: PermissionPolicy,
    hooks: PermissionHooks,
    now: () => number = Date.now,
  ) {
    this.#runId = runId;
    this.#policy = policy;
    this.#hooks = hooks;
    this.#now = now;
  }

  /** Snapshots of the pending requests, oldest first. */
  pending(): PermissionRecord[] {
    return [...this.#pending.values()].map((entry) => ({ ...entry.record }));
  }

  /**
   * Takes a runner's request. Returns false (and ignores it) when a request with that id is
   * already pending: a runner fault, for the caller to log.
   */
  request(attempt: number, message: PermissionRequestMessage): boolean {
    if (this.#pending.has(message.requestId)) {
      return false;
    }
    const now = this.#now();
    const record: PermissionRecord = {
      runId: this.#runId,
      attempt,
      requestId: message.requestId,
      tool: message.tool,
      input: message.input ?? null,
      rationale: message.rationale ?? null,
      requestedAt: now,
      decision: null,
      decidedBy: null,
      reason: null,
      decidedAt: null,
      expiresAt: now + this.#policy.timeoutMs,
    };
    this.#hooks.requested({ ...record });
    if (autoDecision(this.#policy, record.tool) === 'granted') {
      this.#hooks.decided(decide(record, 'granted', 'auto', 'auto-approved', now));
      return true;
    }
    if (this.#pending.size >= MAX_PENDING_PERMISSIONS) {
      this.#hooks.decided(
        decide(
          record,
          'denied',
          'auto',
          `too many pending permission requests (limit ${MAX_PENDING_PERMISSIONS})`,
          now,
        ),
      );
      return true;
    }
    const timer = setTimeout(
      () => this.#settle(record.requestId, 'denied', 'timeout', 'timeout'),
      this.#policy.timeoutMs,
    );
    // Pending requests must not keep a process alive; the run's end denies them anyway.
    timer.unref();
    this.#pending.set(record.requestId, { record, timer });
    return true;
  }

  /**
   * A client's answer. Returns the decided record, or `not_pending` when no request with that
   * id is pending (unknown, or already decided: the caller tells which from the store).
   */
  answer(
    requestId: string,
    decision: 'granted' | 'denied',
    reason: string | undefined,
  ): PermissionRecord | AnswerRefusal {
    return this.#settle(requestId, decision, 'client', reason ?? null) ?? 'not_pending';
  }

  /**
   * The runner withdrew a request (`permission_cancel`: it stopped waiting and treated it as
   * denied, e.g. its turn was cancelled): records it `denied` by `runner`, with reason
   * `withdrawn by the runner[: reason]`. Returns the decided record, or undefined when no
   * such request is pending (already decided: nothing to do).
   */
  withdraw(requestId: string, reason: string | undefined): PermissionRecord | undefined {
    const why =
      reason === undefined || reason === ''
        ? 'withdrawn by the runner'
        : `withdrawn by the runner: ${reason}`;
    return this.#settle(requestId, 'denied', 'runner', why);
  }

  /** Denies every pending request (the attempt ended or is stopping). Returns them decided. */
  denyAll(decidedBy: PermissionDecidedBy, reason: string): PermissionRecord[] {
    const decided: PermissionRecord[] = [];
    for (const requestId of [...this.#pending.keys()]) {
      const record = this.#settle(requestId, 'denied', decidedBy, reason);
      if (record !== undefined) {
        decided.push(record);
      }
    }
    return decided;
  }

  #settle(
    requestId: string,
    decision: 'granted' | 'denied',
    decidedBy: PermissionDecidedBy,
    reason: string | null,
  ): PermissionRecord | undefined {
    const entry = this.#pending.get(requestId);
    if (entry === undefined) {
      return undefined;
    }
    clearTimeout(entry.timer);
    this.#pending.delete(requestId);
    const record = decide(entry.record, decision, decidedBy, reason, this.#now());
    this.#hooks.decided(record);
    return record;
  }
}

function decide(
  record: PermissionRecord,
  decision: 'granted' | 'denied',
  decidedBy: PermissionDecidedBy,
  reason: string | null,
  at: number,
): PermissionRecord {
  return { ...record, decision, decidedBy, reason, decidedAt: at, expiresAt: null };
}
