// A turn-based agent: keeps a list of notes in memory and answers requests sent to it as
// turns. No step: it idles until a turn arrives. Clearing the list asks for permission first.
//   x agent start examples/agents/notes.mjs --name notes
//   then submit turns such as { "add": "buy milk" }, { "list": true }, { "clear": true }
import { defineAgent } from '@x/kernel';

export default defineAgent({
  setup() {
    return { notes: [] };
  },
  async turn(input, ctx) {
    const { notes } = ctx.state;
    if (typeof input?.add === 'string') {
      notes.push(input.add);
      ctx.notify({ added: input.add, count: notes.length });
      return { count: notes.length };
    }
    if (input?.clear === true) {
      const decision = await ctx.requestPermission({
        tool: 'notes.clear',
        input: { count: notes.length },
        rationale: `delete all ${notes.length} notes`,
      });
      if (decision === 'granted') {
        notes.length = 0;
      }
      return { cleared: decision === 'granted', count: notes.length };
    }
    if (input?.list === true) {
      return { notes: [...notes] };
    }
    throw new Error('expected { add: string }, { list: true } or { clear: true }');
  },
});
