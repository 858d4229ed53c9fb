// The smoke app: uses the six packages as installed from their tarballs, typechecked with
// moduleResolution nodenext and skipLibCheck false (so their .d.ts files must be complete).
// Exits non-zero, naming the step, when anything is not as expected.
import { mkdtempSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createLauncher } from '@x/cli';
import { connect, RunNotFoundError } from '@x/client';
import { startDaemon } from '@x/daemon';
import {
  createMsgpackCodec,
  getCodec,
  PROTOCOL_VERSION,
  validateSupervisorMessage,
  type InitMessage,
} from '@x/ipc';
import { createRunner, defineAgent, type UsageReport } from '@x/kernel';
import { withX } from '@x/ai-sdk';
import { generateText } from 'ai';
import { MockLanguageModelV3 } from 'ai/test';

function check(condition: boolean, what: string): void {
  if (!condition) {
    throw new Error(`pack smoke: ${what}`);
  }
}

// 1. The kernel, embedded: an agent run in this process.
const agent = defineAgent<Record<string, unknown>, { n: number }>({
  setup: () => ({ n: 0 }),
  step(ctx) {
    ctx.state.n += 1;
    return { summary: `n=${ctx.state.n}` };
  },
  turn: (input: unknown) => ({ echo: input }),
});
const runner = createRunner(agent, { intervalMs: 10, maxIterations: 3 });
await runner.start();
const reply = await runner.submitTurn('ping').result({ timeoutMs: 5000 });
const outcome = await runner.finished;
check(outcome.reason === 'max_iterations' && outcome.iterations === 3, 'createRunner outcome');
check(JSON.stringify(reply) === '{"echo":"ping"}', 'a turn of createRunner');
console.log(
  `kernel: ${outcome.reason} after ${outcome.iterations} iterations, turn ${JSON.stringify(reply)}`,
);

// 2. The codecs: an init message through both framings, validated.
const init: InitMessage = {
  type: 'init',
  protocolVersion: PROTOCOL_VERSION,
  codec: 'jsonl',
  runId: 'r-12345678',
  name: 'smoke',
  params: { answer: 42 },
  intervalMs: 1000,
};
for (const codec of [getCodec('jsonl'), createMsgpackCodec()]) {
  const frames: unknown[] = [];
  const decoder = codec.createDecoder({
    frame: (value) => frames.push(value),
    error: (error) => {
      throw error;
    },
  });
  const bytes = codec.encode(init);
  decoder.push(bytes.subarray(0, 5)); // split across chunks
  decoder.push(bytes.subarray(5));
  decoder.end();
  check(frames.length === 1 && validateSupervisorMessage(frames[0]).ok, `codec ${codec.name}`);
  console.log(`ipc: ${codec.name} round trip of init, ${bytes.length} bytes, valid`);
}

// 3. The daemon, embedded, with the CLI's launcher, running the app's own agent.
const home = mkdtempSync('/tmp/x-smoke-embedded-');
try {
  const daemon = await startDaemon({ home, launcher: createLauncher() });
  const started = await daemon.supervisor.start({
    module: fileURLToPath(new URL('../agent.mjs', import.meta.url)),
    name: 'embedded',
    intervalMs: 100,
  });
  check(started.state === 'running', `embedded daemon: run is ${started.state}`);
  // Over the socket with @x/client: typed calls and a typed error.
  const client = await connect({ home });
  await new Promise((resolve) => setTimeout(resolve, 500));
  const status = await client.agent.status({ ref: 'embedded' });
  const missing = await client.agent.status({ ref: 'nope' }).catch((error: unknown) => error);
  client.close();
  check(status.run.iterations >= 1, 'embedded daemon: no iteration');
  check(missing instanceof RunNotFoundError && missing.code === -32001, '@x/client error class');
  const stopped = await daemon.supervisor.stop('embedded');
  await daemon.shutdown();
  check(stopped.exit?.reason === 'stopped', `embedded daemon: exit ${stopped.exit?.reason}`);
  console.log(
    `daemon: embedded, ${status.run.iterations} iteration(s), then ${stopped.exit?.explanation}`,
  );
} finally {
  rmSync(home, { recursive: true, force: true });
}

// 4. @x/ai-sdk: an AI SDK call through withX reports its tokens and catalog cost.
{
  const reports: UsageReport[] = [];
  const model = new MockLanguageModelV3({
    provider: 'openai.chat',
    modelId: 'gpt-4o-mini',
    doGenerate: () =>
      Promise.resolve({
        content: [{ type: 'text' as const, text: 'ok' }],
        finishReason: { unified: 'stop' as const, raw: 'stop' },
        usage: {
          inputTokens: { total: 1000, noCache: 1000, cacheRead: 0, cacheWrite: 0 },
          outputTokens: { total: 100, text: 100, reasoning: 0 },
        },
        warnings: [],
      }),
  });
  const runner = createRunner(
    defineAgent({
      async step(ctx) {
        await generateText({ model: withX(model, ctx), prompt: 'hi' });
        return { done: true };
      },
    }),
    { intervalMs: 0, onUsage: (usage) => reports.push(usage) },
  );
  await runner.start();
  await runner.finished;
  const [report] = reports;
  check(
    report?.model === 'gpt-4o-mini' && report.inputTokens === 1000 && (report.costUsd ?? 0) > 0,
    `@x/ai-sdk: reported ${JSON.stringify(reports)}`,
  );
  console.log(`ai-sdk: one generateText reported ${JSON.stringify(report)}`);
}
