import type { SerializerProtocol } from '@langchain/langgraph-checkpoint';
import { XCheckpointSaver, type RecordBatcher } from './x-checkpoint-saver.js';

/** What {@link checkpointerFor} needs of an x agent's context (`ctx` of setup, a step, a turn). */
export interface SaverContext {
  readonly runId: string;
  readonly store: RecordBatcher;
}

/**
 * The checkpoint saver of an x agent: its records go to the run's store (`ctx.store`), and
 * its default thread is the run (`ctx.runId`), so every attempt of the run (after a crash, a
 * restart by policy, `x agent restart`, a daemon found lost) resumes the same thread with
 * `graph.invoke(null, saver.config())`.
 *
 * ```js
 * const saver = checkpointerFor(ctx);
 * const app = graph.compile({ checkpointer: saver });
 * await app.invoke(input, saver.config());
 * ```
 *
 * @param options.namespace namespace of the records in the run's store. @default 'langgraph'
 * @param options.threadId the default thread. @default ctx.runId
 * @throws TypeError when `ctx` has no `store` (an older @x/kernel).
 */
export function checkpointerFor(
  ctx: SaverContext,
  options: { namespace?: string; threadId?: string; serde?: SerializerProtocol } = {},
): XCheckpointSaver {
  if (typeof ctx?.store?.batch !== 'function') {
    throw new TypeError(
      `@x/langgraph: checkpointerFor(ctx): ctx.store is ${typeof ctx?.store}; pass the ctx of an x agent (setup, step or turn) run by an @x/kernel and x daemon with the record store`,
    );
  }
  return new XCheckpointSaver({
    store: ctx.store,
    threadId: options.threadId ?? ctx.runId,
    ...(options.namespace === undefined ? {} : { namespace: options.namespace }),
    ...(options.serde === undefined ? {} : { serde: options.serde }),
  });
}
