import { Type } from '@sinclair/typebox';
import { RpcError, type RpcConnection } from '@x/ipc';
import { DAEMON_RPC_CODES } from '../errors.js';
import type { RunRecord } from '../persistence/records.js';
import { isActiveState } from '../supervisor/run-state.js';
import type { RemovedRun, RunnerSupervisor } from '../supervisor/runner-supervisor.js';
import { clipRun } from './clip-fields.js';
import { Ref, StopBudget } from './control-params.js';
import { compileParamsValidator } from './params-validator.js';

/** Params schemas of the housekeeping methods (issue 11): the source of `-32602` messages. */
export const HOUSEKEEPING_PARAMS = {
  'agent.restart': Type.Object({ ref: Ref, stopBudget: Type.Optional(StopBudget) }),
  'agent.remove': Type.Object({ ref: Ref }),
};

const validators = {
  restart: compileParamsValidator(HOUSEKEEPING_PARAMS['agent.restart']),
  remove: compileParamsValidator(HOUSEKEEPING_PARAMS['agent.remove']),
};

/**
 * Registers `agent.restart` and `agent.remove` on a connection.
 * - `agent.restart {ref, stopBudget?}` → the run once its new attempt is ready (or in backoff);
 *   START_FAILED (-32003, the run in `data.run`) when it ended before it was ready again.
 * - `agent.remove {ref}` → {@link RemovedRun}; RUN_ACTIVE (-32027) for an active run.
 */
export function registerHousekeepingMethods(
  connection: RpcConnection,
  supervisor: RunnerSupervisor,
): void {
  connection.onRequest(
    'agent.restart',
    async (params): Promise<RunRecord> => {
      const run = await supervisor.restart(params.ref, params.stopBudget);
      if (
        !isActiveState(run.state) &&
        (run.readyAt === null || run.exit?.evidence?.error !== undefined)
      ) {
        throw new RpcError(
          DAEMON_RPC_CODES.START_FAILED,
          `x: ${run.name} did not come back: ${run.exit?.explanation ?? 'exited before ready'}`,
          { run: clipRun(run) },
        );
      }
      return clipRun(run);
    },
    validators.restart,
  );
  connection.onRequest(
    'agent.remove',
    (params): RemovedRun => supervisor.remove(params.ref),
    validators.remove,
  );
}
