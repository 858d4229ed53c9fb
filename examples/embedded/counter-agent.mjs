// The agent daemon.mjs supervises: counts to `params.to`, one step every 100 ms, then ends.
import { defineAgent } from '@x/kernel';

export default defineAgent({
  setup: () => ({ count: 0 }),
  step(ctx) {
    ctx.state.count += 1;
    return { summary: `count=${ctx.state.count}`, done: ctx.state.count >= ctx.params.to };
  },
});
