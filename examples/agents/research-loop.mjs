// A durable agent: works through a queue of topics, one per iteration, and checkpoints where it
// is after each. Kill its runner (or the daemon) at any moment: the next attempt resumes from
// the last acknowledged checkpoint (ctx.restored) instead of starting over. Each step stands
// for an LLM call and reports what it would have spent, so a budget can pause it. No network.
//   x agent start examples/agents/research-loop.mjs --name research --restart always --max-cost 0.05
//   x agent status research      # paused when the budget is reached
//   x agent resume research --add-cost 0.05
import { defineAgent } from '@x/kernel';

const TOPICS = ['supervision trees', 'backoff', 'liveness', 'checkpoints', 'budgets'];

export default defineAgent({
  setup(ctx) {
    const restored = ctx.restored?.state;
    if (restored !== undefined) {
      ctx.log(`resuming at step ${restored.done} (checkpoint ${ctx.restored.seq})`);
    }
    return { done: restored?.done ?? 0, notes: restored?.notes ?? [] };
  },
  async step(ctx) {
    const topic = TOPICS[ctx.state.done % TOPICS.length];
    // Stands for a model call: 1200 tokens in, 300 out, $0.01.
    ctx.reportUsage({
      inputTokens: 1200,
      outputTokens: 300,
      costUsd: 0.01,
      model: 'example-model',
    });
    ctx.state.notes = [...ctx.state.notes.slice(-9), `read about ${topic}`];
    ctx.state.done += 1;
    const { seq } = await ctx.checkpoint({ done: ctx.state.done, notes: ctx.state.notes });
    return { summary: `step ${ctx.state.done}: ${topic} (checkpoint ${seq})` };
  },
});
