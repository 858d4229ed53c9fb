import type { PermissionRequestMessage } from '@x/ipc';
import type { RunLog } from '../logs/run-log.js';
import type { PersistenceGuard } from '../persistence/persistence-guard.js';
import type { PermissionRecord, RunRecord } from '../persistence/records.js';
import type { RunStore } from '../persistence/run-store.js';
import { PERMISSION_TIMEOUT_MS, PermissionBroker } from './permission-broker.js';
import type { RunnerLink } from './runner-link.js';
import type { SupervisorEvent } from './supervisor-events.js';

/** What {@link RunPermissions} uses of an attempt's runner: a {@link RunnerLink}, or a fake in tests. */
export type PermissionRunner = Pick<RunnerLink, 'attempt' | 'answerPermission'>;

/** What {@link RunPermissions} works with. */
export interface RunPermissionsDeps {
  /** The run as it stands: its id and name (in events), its options (the policy, read once). */
  run(): Pick<RunRecord, 'runId' | 'name' | 'options'>;
  /** The runner of the run's current attempt, or undefined before the first. */
  runner(): PermissionRunner | undefined;
  store: Pick<RunStore, 'upsertPermission'>;
  persistence: Pick<PersistenceGuard, 'persist'>;
  log: Pick<RunLog, 'line'>;
  emit(event: SupervisorEvent): void;
  /** Clock, ms since the epoch. */
  now(): number;
}

/**
 * The permission requests of one run, wired to the outside: a {@link PermissionBroker} (with
 * the run's `autoApprove` and `permissionTimeoutMs`) decides; this persists each request and
 * decision, answers the runner (`permission_response`), logs and publishes.
 */
export class RunPermissions {
  readonly #deps: RunPermissionsDeps;
  readonly #broker: PermissionBroker;

  constructor(deps: RunPermissionsDeps) {
    this.#deps = deps;
    const { runId, options } = deps.run();
    this.#broker = new PermissionBroker(
      runId,
      {
        autoApprove: options.autoApprove ?? null,
        timeoutMs: options.permissionTimeoutMs ?? PERMISSION_TIMEOUT_MS,
      },
      {
        requested: (request) => this.#onRequested(request),
        decided: (request) => this.#onDecided(request),
      },
      () => deps.now(),
    );
  }

  /** The pending requests, oldest first. */
  pending(): PermissionRecord[] {
    return this.#broker.pending();
  }

  /** A runner's `permission_request` from attempt `attempt` (a duplicate is logged and ignored). */
  request(attempt: number, message: PermissionRequestMessage): void {
    if (!this.#broker.request(attempt, message)) {
      this.#deps.log.line(
        'x',
        `protocol: permission request ${message.requestId} is already pending: duplicate ignored`,
      );
    }
  }

  /** The runner withdrew a request (`permission_cancel`). */
  withdraw(requestId: string, reason: string | undefined): void {
    this.#broker.withdraw(requestId, reason);
  }

  /**
   * A client's answer to a pending request. Returns the decided request, or `not_pending` when
   * none with that id is pending.
   */
  answer(
    requestId: string,
    decision: 'granted' | 'denied',
    reason?: string,
  ): PermissionRecord | 'not_pending' {
    return this.#broker.answer(requestId, decision, reason);
  }

  /** Denies every pending request, decided by `stopped` (the attempt ended or is stopping). */
  denyAll(reason: string): void {
    this.#broker.denyAll('stopped', reason);
  }

  #onRequested(request: PermissionRecord): void {
    this.#persist(request);
    const { runId, name } = this.#deps.run();
    this.#deps.emit({ type: 'permission_request', runId, name, request });
  }

  #onDecided(request: PermissionRecord): void {
    this.#persist(request);
    const reason = request.reason ?? undefined;
    const attempt = this.#deps.runner();
    // A request the runner withdrew needs no answer: it has stopped waiting for one.
    if (attempt?.attempt === request.attempt && request.decidedBy !== 'runner') {
      attempt.answerPermission(request.requestId, request.decision ?? 'denied', reason);
    }
    this.#deps.log.line(
      'x',
      `permission request ${request.requestId} (${request.tool}): ${request.decision ?? '?'} by ${request.decidedBy ?? '?'}${reason === undefined ? '' : ` (${reason})`}`,
    );
    const { runId, name } = this.#deps.run();
    this.#deps.emit({ type: 'permission_answer', runId, name, request });
  }

  #persist(request: PermissionRecord): void {
    this.#deps.persistence.persist(
      'record permission request',
      request,
      (latest) => this.#deps.store.upsertPermission(latest),
      { key: `permission:${request.runId}:${request.requestId}` },
    );
  }
}
