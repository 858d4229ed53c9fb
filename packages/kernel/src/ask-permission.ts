import type { PermissionDecision } from '@x/ipc';
import type { PermissionRequest } from './define-agent.js';

/** Asks a host for permission: the `requestPermission` member of an AgentLoopSink. */
export type AskPermission = (
  request: PermissionRequest,
  signal: AbortSignal,
) => PermissionDecision | Promise<PermissionDecision>;

/**
 * Asks `ask` on the agent's behalf, and answers `'denied'` itself as soon as `signal` (the
 * context's: a stop, a cancelled turn) or `scope` (the step, turn, setup or teardown that
 * asked has ended) aborts: the host then sees its signal abort, with that reason, and
 * withdraws the request (`permission_cancel` under a supervisor). A failure of `ask`, or an
 * answer other than `'granted'`, counts as `'denied'`. Never rejects.
 */
export function askPermission(
  ask: AskPermission,
  request: PermissionRequest,
  signal: AbortSignal,
  scope: AbortSignal,
): Promise<PermissionDecision> {
  const controller = new AbortController();
  const onSignal = () => controller.abort(signal.reason);
  const onScope = () => controller.abort(scope.reason);
  return new Promise<PermissionDecision>((resolve) => {
    controller.signal.addEventListener('abort', () => resolve('denied'), { once: true });
    signal.addEventListener('abort', onSignal, { once: true });
    scope.addEventListener('abort', onScope, { once: true });
    Promise.resolve()
      .then(() => ask(request, controller.signal))
      .then(
        (decision) => resolve(decision === 'granted' ? 'granted' : 'denied'),
        () => resolve('denied'),
      );
  }).finally(() => {
    signal.removeEventListener('abort', onSignal);
    scope.removeEventListener('abort', onScope);
  });
}
