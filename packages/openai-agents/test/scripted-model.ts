// A scripted Agents SDK Model (no network, no key): each call answers the next reply of its
// script, with fixed usage; a reply that calls a tool asks for it by name.
import { Usage, type Model, type ModelRequest, type ModelResponse } from '@openai/agents';

export type Reply = { text: string } | { tool: string; args: Record<string, unknown> };

export class ScriptedModel implements Model {
  readonly requests: ModelRequest[] = [];
  #next = 0;

  constructor(
    private readonly script: Reply[],
    private readonly usage = { inputTokens: 1000, outputTokens: 100, cachedTokens: 0 },
  ) {}

  async getResponse(request: ModelRequest): Promise<ModelResponse> {
    this.requests.push(request);
    const reply = this.script[Math.min(this.#next, this.script.length - 1)];
    this.#next += 1;
    const { inputTokens, outputTokens, cachedTokens } = this.usage;
    return {
      usage: new Usage({
        inputTokens,
        outputTokens,
        totalTokens: inputTokens + outputTokens,
        inputTokensDetails: { cached_tokens: cachedTokens },
      }),
      output: [
        'tool' in reply
          ? {
              type: 'function_call',
              callId: `call-${this.#next}`,
              name: reply.tool,
              arguments: JSON.stringify(reply.args),
              status: 'completed',
            }
          : {
              type: 'message',
              role: 'assistant',
              status: 'completed',
              content: [{ type: 'output_text', text: reply.text }],
            },
      ],
    };
  }

  async *getStreamedResponse(request: ModelRequest) {
    const response = await this.getResponse(request);
    yield {
      type: 'response_done' as const,
      response: {
        id: 'r-1',
        usage: {
          requests: 1,
          inputTokens: response.usage.inputTokens,
          outputTokens: response.usage.outputTokens,
          totalTokens: response.usage.totalTokens,
          inputTokensDetails: response.usage.inputTokensDetails[0] ?? {},
        },
        // the stream event types its output narrower than ModelResponse.output
        output: response.output as never,
      },
    };
  }
}
