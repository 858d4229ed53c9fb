// Runs an agent inside this program with createRunner: no daemon, no child process.
// The agent answers turns; before it "runs a command" it asks for permission, which this
// program decides in onPermissionRequest (here: only `ls` is allowed).
//   node examples/embedded/chat.mjs
import { createRunner, defineAgent } from '@x/kernel';

const assistant = defineAgent({
  setup() {
    return { turns: 0 };
  },
  async turn(input, ctx) {
    ctx.state.turns += 1;
    if (typeof input.run === 'string') {
      const decision = await ctx.requestPermission({
        tool: 'shell',
        input: { cmd: input.run },
        rationale: `the user asked to run ${input.run}`,
      });
      if (decision === 'denied') {
        return { text: `not allowed to run ${input.run}` };
      }
      ctx.log('info', `would run ${input.run}`);
      return { text: `ran ${input.run}` };
    }
    return { text: `you said: ${input.text}`, turn: ctx.state.turns };
  },
});

const runner = createRunner(assistant, {
  name: 'embedded-chat',
  onPermissionRequest(request) {
    const allowed = request.tool === 'shell' && request.input?.cmd === 'ls';
    console.log(
      `permission ${request.tool} ${request.input?.cmd}: ${allowed ? 'granted' : 'denied'}`,
    );
    return allowed ? 'granted' : 'denied';
  },
});
runner.onLog(({ level, message }) => console.log(`log ${level}: ${message}`));

await runner.start();
for (const input of [{ text: 'hello' }, { run: 'ls' }, { run: 'rm -rf /' }]) {
  const reply = await runner.submitTurn(input).result({ timeoutMs: 10_000 });
  console.log(`reply ${JSON.stringify(reply)}`);
}
const outcome = await runner.stop({ graceMs: 2000 });
console.log(`stopped: ${outcome.reason}`);
