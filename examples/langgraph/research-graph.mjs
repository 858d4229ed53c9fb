// A LangGraph.js graph run as an x agent, with its checkpoints in the x daemon.
//
//   plan ─┬─ research ─┬─ write ── review
//         └─ outline ──┘
//
// No model, no network: each node "works" for params.nodeMs (default 400 ms) and adds a note.
// The saver is the run's record store (checkpointerFor(ctx)): every super-step's checkpoint is
// committed by the daemon before the next one starts (durability: 'sync'). Kill the runner
// at any moment (kill -9); x restarts it (restart policy on-failure) and the step resumes
// the run's thread with graph.invoke(null, config): the super-steps already saved do not run
// again, and in a parallel super-step a branch that finished keeps its saved result.
//
//   x agent start examples/langgraph/research-graph.mjs --name research --restart on-failure \
//     --param topic=durable-agents
//
// params.crashIn (optional): a node name; the first time that node runs in this run, the
// runner exits at once with 137 (what a kill -9 looks like), to watch the resume without a
// second terminal. params.trace (optional): a file each node appends `start <node>` and
// `end <node>` to, so a test can count how often each node ran.
import { appendFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { Annotation, END, START, StateGraph } from '@langchain/langgraph';
import { defineAgent } from '@x/kernel';
import { checkpointerFor } from '@x/langgraph';

const State = Annotation.Root({
  topic: Annotation(),
  notes: Annotation({ reducer: (left, right) => left.concat(right), default: () => [] }),
});

/** A node that works for `ms`, then adds one note (see params.trace and params.crashIn). */
function node(ctx, name, ms) {
  const { trace, crashIn } = ctx.params;
  return async (state) => {
    if (trace) {
      appendFileSync(trace, `start ${name}\n`);
    }
    // Once per run: the record store remembers that it crashed already.
    if (crashIn === name && (await ctx.store.put('demo', 'crashed', true, { ifAbsent: true }))) {
      process.exit(137);
    }
    await sleep(ms);
    if (trace) {
      appendFileSync(trace, `end ${name}\n`);
    }
    return { notes: [`${name}: ${state.topic}`] };
  };
}

function buildGraph(ctx) {
  const ms = Number(ctx.params.nodeMs ?? 400);
  return new StateGraph(State)
    .addNode('plan', node(ctx, 'plan', ms))
    .addNode('research', node(ctx, 'research', ms * 2))
    .addNode('outline', node(ctx, 'outline', ms / 2))
    .addNode('write', node(ctx, 'write', ms))
    .addNode('review', node(ctx, 'review', ms))
    .addEdge(START, 'plan')
    .addEdge('plan', 'research')
    .addEdge('plan', 'outline')
    .addEdge(['research', 'outline'], 'write')
    .addEdge('write', 'review')
    .addEdge('review', END);
}

export default defineAgent({
  async step(ctx) {
    const saver = checkpointerFor(ctx);
    const app = buildGraph(ctx).compile({ checkpointer: saver });
    // The thread is the run: every attempt of this run finds the checkpoints of the last.
    const config = { ...saver.config(), durability: 'sync', signal: ctx.signal };
    const saved = await app.getState(config);
    const started = saved.config?.configurable?.checkpoint_id !== undefined;
    if (started) {
      ctx.log(`resuming thread ${saver.threadId} before ${saved.next.join(', ') || 'the end'}`);
    }
    const result = started
      ? await app.invoke(null, config)
      : await app.invoke({ topic: String(ctx.params.topic ?? 'x') }, config);
    return { summary: result.notes.join(' | '), done: true };
  },
});
