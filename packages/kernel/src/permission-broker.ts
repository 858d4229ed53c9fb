import type {
  PermissionCancelMessage,
  PermissionDecision,
  PermissionRequestMessage,
  PermissionResponseMessage,
} from '@x/ipc';
import type { PermissionRequest } from './define-agent.js';

/** Most permission requests that may wait for an answer at once; more are denied: 256. */
export const MAX_PENDING_PERMISSION_REQUESTS = 256;

interface Pending {
  /** Settles the request; with `withdraw`, also tells the supervisor it was withdrawn. */
  resolve(decision: PermissionDecision, withdraw?: string): void;
}

/** What the broker sends: requests, and the withdrawal of requests it stopped waiting for. */
export type PermissionBrokerMessage = PermissionRequestMessage | PermissionCancelMessage;

/**
 * The runner's side of permission requests over the protocol: sends `permission_request`
 * with a fresh `requestId` (`p-1`, `p-2`, … unique within the process) and resolves on the
 * matching `permission_response`. A request whose asker gave up (its signal aborted), that
 * could not be sent, or that was pending when {@link PermissionBroker.denyAll} ran (stop,
 * run end, supervisor gone) resolves `'denied'`. At most `maxPending` requests wait at once;
 * more are denied without being sent.
 *
 * A request that was sent and is then denied locally (abort or `denyAll`) is withdrawn with
 * a `permission_cancel { requestId, reason }`, so that the supervisor stops offering it for
 * an answer; a failure to send that (channel closed) is ignored: the supervisor denies what
 * is pending when the runner goes away.
 */
export class PermissionBroker {
  readonly #pending = new Map<string, Pending>();
  #count = 0;
  #closed = false;

  constructor(
    private readonly send: (message: PermissionBrokerMessage) => Promise<void>,
    private readonly maxPending = MAX_PENDING_PERMISSION_REQUESTS,
  ) {}

  /** Requests waiting for an answer. */
  get pending(): number {
    return this.#pending.size;
  }

  /** Sends the request and resolves with the supervisor's decision. Never rejects. */
  request(request: PermissionRequest, signal: AbortSignal): Promise<PermissionDecision> {
    if (this.#closed || signal.aborted || this.#pending.size >= this.maxPending) {
      return Promise.resolve('denied');
    }
    this.#count += 1;
    const requestId = `p-${this.#count}`;
    return new Promise((resolve) => {
      const settle = (decision: PermissionDecision, withdraw?: string) => {
        if (this.#pending.delete(requestId)) {
          signal.removeEventListener('abort', onAbort);
          resolve(decision);
          if (withdraw !== undefined) {
            this.#withdraw(requestId, withdraw);
          }
        }
      };
      const onAbort = () => settle('denied', withdrawReason(signal.reason));
      this.#pending.set(requestId, { resolve: settle });
      signal.addEventListener('abort', onAbort, { once: true });
      const message: PermissionRequestMessage = {
        type: 'permission_request',
        requestId,
        tool: request.tool,
      };
      if (request.input !== undefined) {
        message.input = request.input;
      }
      if (request.rationale !== undefined) {
        message.rationale = request.rationale;
      }
      // Not sent: nothing to withdraw.
      this.send(message).catch(() => settle('denied'));
    });
  }

  /** Delivers a `permission_response`. Returns false when no such request is pending. */
  respond(message: PermissionResponseMessage): boolean {
    const pending = this.#pending.get(message.requestId);
    if (pending === undefined) {
      return false;
    }
    pending.resolve(message.decision === 'granted' ? 'granted' : 'denied');
    return true;
  }

  /**
   * Denies every pending request (withdrawing each with `reason`) and, from now on, every
   * new one. @param reason sent in `permission_cancel`. @default 'the run is ending'
   */
  denyAll(reason = 'the run is ending'): void {
    this.#closed = true;
    for (const pending of [...this.#pending.values()]) {
      pending.resolve('denied', reason);
    }
  }

  #withdraw(requestId: string, reason: string): void {
    this.send({ type: 'permission_cancel', requestId, reason }).catch(() => undefined);
  }
}

/** The reason of a withdrawal caused by an abort: the abort reason's message. */
function withdrawReason(reason: unknown): string {
  const text = reason instanceof Error ? reason.message : typeof reason === 'string' ? reason : '';
  return (text === '' ? 'the asker gave up' : text).slice(0, 65_536);
}
