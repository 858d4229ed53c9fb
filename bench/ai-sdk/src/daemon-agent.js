// The agent bench/ai-sdk runs under a real daemon (`x agent start`, subprocess runner): one
// step times `--param calls` calls of each call kind on the AI SDK's mock model, bare and
// through withX(model, ctx), alternating, and writes the samples (ms) to `--param out` as
// JSON { generateText: { bare: [...], withX: [...] }, streamText: {...} }. Under the daemon
// each withX call awaits ctx.whenResumed(): with a budget, the usage_ack of the previous report.
import { writeFileSync } from 'node:fs';
import { withX } from '@x/ai-sdk';
import { defineAgent } from '@x/kernel';
import { CALLS, mockModel } from './mock-calls.js';

export default defineAgent({
  async step(ctx) {
    const calls = Number(ctx.params.calls);
    const out = String(ctx.params.out);
    const bare = mockModel('gpt-4o-mini');
    const wrapped = withX(bare, ctx);
    /** @type {Record<string, { bare: number[]; withX: number[] }>} */
    const samples = {};
    for (const [callName, call] of Object.entries(CALLS)) {
      for (let i = 0; i < 200; i += 1) {
        await call(bare); // warm-up
        await call(wrapped);
      }
      /** @type {{ bare: number[]; withX: number[] }} */
      const entry = { bare: [], withX: [] };
      samples[callName] = entry;
      for (let i = 0; i < calls; i += 1) {
        let started = performance.now();
        await call(bare);
        entry.bare.push(performance.now() - started);
        started = performance.now();
        await call(wrapped);
        entry.withX.push(performance.now() - started);
      }
    }
    writeFileSync(out, JSON.stringify(samples));
    return { done: true };
  },
});
