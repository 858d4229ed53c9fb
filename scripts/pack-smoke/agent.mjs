// The smoke app's own agent: counts, one step every 100 ms, until stopped.
import { defineAgent } from '@x/kernel';

export default defineAgent({
  setup: () => ({ count: 0 }),
  step(ctx) {
    ctx.state.count += 1;
    return { summary: `count=${ctx.state.count}` };
  },
});
