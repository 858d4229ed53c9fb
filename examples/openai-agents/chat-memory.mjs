// An OpenAI Agents SDK chat agent under x whose conversation lives in the daemon: each turn
// (`x agent send`) runs the agent with `session: xSession(ctx)`, an Agents SDK `Session` kept
// in the run's durable records, so the conversation survives a kill -9 of the runner, a
// restart by policy and `x agent restart`.
//
// No network, no API key: the model is a scripted Agents SDK `Model` posing as gpt-4o-mini
// that only knows what the Runner sends it (the session's history and the new message): told
// "My name is Ada." it greets Ada; asked "What is my name?" it looks for the name in the
// history it was sent. Each reply costs 1 000 input and 100 output tokens.
//
//   x agent start examples/openai-agents/chat-memory.mjs --name chat --restart on-failure
//   x agent send chat 'My name is Ada.' --wait      # Nice to meet you, Ada.
//   kill -9 <pid of the runner>                      # x restarts it (attempt 2)
//   x agent send chat 'What is my name?' --wait     # Your name is Ada. (from 2 earlier items)
//
// params.sessionId (optional): the conversation's id (default: the run id).
import { Agent, Usage, run, setTracingDisabled } from '@openai/agents';
import { defineAgent } from '@x/kernel';
import { withX, xSession } from '@x/openai-agents';

setTracingDisabled(true); // no trace export to OpenAI (there is no key)

/** The text of a user or assistant message item (string or content parts). */
function textOf(item) {
  if (typeof item.content === 'string') {
    return item.content;
  }
  return Array.isArray(item.content) ? item.content.map((part) => part.text ?? '').join('') : '';
}

/** A scripted Agents SDK model that answers from the conversation it is sent. */
class ScriptedModel {
  async getResponse(request) {
    const items = Array.isArray(request.input)
      ? request.input
      : [{ role: 'user', content: request.input }];
    const said = items.filter((item) => item.role === 'user').map(textOf);
    const last = said.at(-1) ?? '';
    const named = [...said].reverse().find((text) => /my name is (\w+)/i.test(text));
    const name = named && /my name is (\w+)/i.exec(named)[1];
    let text;
    if (/my name is/i.test(last)) {
      text = `Nice to meet you, ${name}.`;
    } else if (/what is my name/i.test(last)) {
      const earlier = items.length - 1;
      text = name
        ? `Your name is ${name}. (from ${earlier} earlier items)`
        : `I do not know your name yet. (from ${earlier} earlier items)`;
    } else {
      text = `You said: ${last}`;
    }
    return {
      usage: new Usage({ inputTokens: 1000, outputTokens: 100, totalTokens: 1100 }),
      output: [
        {
          type: 'message',
          role: 'assistant',
          status: 'completed',
          content: [{ type: 'output_text', text }],
        },
      ],
    };
  }

  // eslint-disable-next-line require-yield -- this example's runs are not streamed
  async *getStreamedResponse() {
    throw new Error('chat-memory: the scripted model does not stream');
  }
}

export default defineAgent({
  async turn(input, ctx) {
    const agent = new Agent({
      name: 'chat',
      instructions: 'Chat with the user; remember what they tell you.',
      model: withX(new ScriptedModel(), ctx, { modelName: 'gpt-4o-mini' }),
    });
    const { sessionId } = ctx.params;
    const session = xSession(ctx, sessionId === undefined ? {} : { sessionId });
    const result = await run(agent, String(input), { session });
    return result.finalOutput;
  },
});
