import { Type } from '@sinclair/typebox';
import { RpcError, type RpcConnection } from '@x/ipc';
import { checkpointNotFound, runNotFound } from '../errors.js';
import type { Checkpoint, CheckpointMeta } from '../persistence/checkpoint-store.js';
import type { RunRecord } from '../persistence/records.js';
import {
  THREAD_PAGE_MAX,
  type ThreadCheckpointMeta,
  type ThreadCheckpointPage,
} from '../persistence/thread-records.js';
import type { RunnerSupervisor } from '../supervisor/runner-supervisor.js';
import { TURN_FIELD_MAX_BYTES, clipRun } from './clip-fields.js';
import { compileParamsValidator } from './params-validator.js';

import { Ref, Usd } from './control-params.js';

/** Thread checkpoints in an `agent.checkpoints` answer unless `limit` says otherwise: 100. */
export const THREAD_CHECKPOINTS_LISTED = 100;

/** How `agent.resume` and `agent.budget` change a budget (see BudgetChange). */
const BudgetChange = {
  ref: Ref,
  maxCostUsd: Type.Optional(Usd('new cost limit over every attempt, USD')),
  addCostUsd: Type.Optional(Usd('allow this much more cost than spent so far, USD')),
  maxTokens: Type.Optional(
    Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER, description: 'new token limit' }),
  ),
  maxCostPerDayUsd: Type.Optional(Usd('new cost limit per UTC day, USD')),
};

/** Params schemas of the durable-agent methods (issue 10): the source of `-32602` messages. */
export const DURABLE_PARAMS = {
  'agent.pause': Type.Object({
    ref: Ref,
    reason: Type.Optional(Type.String({ maxLength: 1024 })),
  }),
  'agent.resume': Type.Object(BudgetChange),
  'agent.budget': Type.Object({
    ...BudgetChange,
    onBudget: Type.Optional(Type.Union([Type.Literal('pause'), Type.Literal('stop')])),
  }),
  'agent.checkpoints': Type.Object({
    ref: Ref,
    seq: Type.Optional(Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER })),
    limit: Type.Optional(
      Type.Integer({
        minimum: 1,
        maximum: THREAD_PAGE_MAX,
        description: `thread checkpoints in one answer (default ${THREAD_CHECKPOINTS_LISTED})`,
      }),
    ),
    cursor: Type.Optional(
      Type.String({
        maxLength: 8192,
        description: "the previous answer's nextCursor: the next page of thread checkpoints",
      }),
    ),
  }),
};

const validators = {
  pause: compileParamsValidator(DURABLE_PARAMS['agent.pause']),
  resume: compileParamsValidator(DURABLE_PARAMS['agent.resume']),
  checkpoints: compileParamsValidator(DURABLE_PARAMS['agent.checkpoints']),
  budget: compileParamsValidator(DURABLE_PARAMS['agent.budget']),
};

/**
 * `agent.checkpoints` result: the list, or (with `seq`) one `ctx.checkpoint` with its state.
 * The list: the run's stored `ctx.checkpoint`s (newest first, no state; at most the newest
 * `checkpointsKept`), and one page of the thread checkpoints in its record store (LangGraph's,
 * see ThreadRecords), with `nextCursor` while more follow.
 */
export type AgentCheckpoints =
  | {
      runId: string;
      checkpoints: CheckpointMeta[];
      threadCheckpoints: ThreadCheckpointMeta[];
      nextCursor?: string;
    }
  | { runId: string; checkpoint: Checkpoint };

/**
 * Registers `agent.pause`, `agent.resume`, `agent.budget` and `agent.checkpoints` on a connection.
 * - `agent.pause {ref, reason?}` → the run (state `paused`, `pause` says why).
 * - `agent.resume {ref, maxCostUsd?, addCostUsd?, maxTokens?, maxCostPerDayUsd?}` → the run,
 *   its budget changed first; -32602 when it would still be over it.
 * - `agent.budget {ref, maxCostUsd?, addCostUsd?, maxTokens?, maxCostPerDayUsd?, onBudget?}` →
 *   the run, its budget changed while it runs (paused at once if already over it).
 * - `agent.checkpoints {ref, seq?, limit?, cursor?}` → the run's stored checkpoints (newest
 *   first) and a page of its thread checkpoints, or (`seq`) one whole.
 */
export function registerDurableMethods(
  connection: RpcConnection,
  supervisor: RunnerSupervisor,
): void {
  connection.onRequest(
    'agent.pause',
    (params): RunRecord => clipRun(supervisor.pause(params.ref, params.reason)),
    validators.pause,
  );
  connection.onRequest(
    'agent.resume',
    (params): RunRecord => {
      const { ref, ...change } = params;
      return clipRun(supervisor.resume(ref, change));
    },
    validators.resume,
  );
  connection.onRequest(
    'agent.budget',
    (params): RunRecord => {
      const { ref, ...change } = params;
      return clipRun(supervisor.setBudget(ref, change));
    },
    validators.budget,
  );
  connection.onRequest(
    'agent.checkpoints',
    (params): AgentCheckpoints => {
      const run = supervisor.get(params.ref);
      if (run === undefined) {
        throw runNotFound(params.ref);
      }
      if (params.seq === undefined) {
        return { runId: run.runId, ...listCheckpoints(supervisor, run.runId, params) };
      }
      const checkpoint = supervisor.checkpoints.get(run.runId, params.seq);
      if (checkpoint === undefined) {
        throw checkpointNotFound(run.runId, params.seq);
      }
      if (checkpoint.bytes > TURN_FIELD_MAX_BYTES * 2) {
        // Up to 4 MiB of state cannot go in one 1 MiB control frame: say where it is instead.
        return {
          runId: run.runId,
          checkpoint: {
            ...checkpoint,
            state: `(${checkpoint.bytes} bytes: over one answer; read agent_checkpoints in ${run.runId}'s x.db)`,
          },
        };
      }
      return { runId: run.runId, checkpoint };
    },
    validators.checkpoints,
  );
}

/**
 * A run's `ctx.checkpoint`s and one page of its thread checkpoints.
 * @throws RpcError -32602 for a cursor that is not a nextCursor.
 */
function listCheckpoints(
  supervisor: RunnerSupervisor,
  runId: string,
  params: { limit?: number | undefined; cursor?: string | undefined },
): Omit<Extract<AgentCheckpoints, { checkpoints: unknown }>, 'runId'> {
  let page: ThreadCheckpointPage;
  try {
    page = supervisor.threads.list(runId, {
      limit: params.limit ?? THREAD_CHECKPOINTS_LISTED,
      cursor: params.cursor,
    });
  } catch (error) {
    if (error instanceof RangeError) {
      throw new RpcError(-32602, `Invalid params: ${error.message}`, { field: '/cursor' });
    }
    throw error;
  }
  return {
    checkpoints: supervisor.checkpoints.list(runId),
    threadCheckpoints: page.checkpoints,
    ...(page.nextCursor === undefined ? {} : { nextCursor: page.nextCursor }),
  };
}
