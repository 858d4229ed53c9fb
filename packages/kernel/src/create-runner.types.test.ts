// Type tests of the in-process runner API. `tsc -p tsconfig.json --noEmit` checks this
// file (tsconfig.json includes src/**), so every `@ts-expect-error` below fails the
// typecheck if the line stops being an error. The bodies are never executed (typeOnly):
// what they check is the types, and some lines are deliberately wrong.
import { describe, expectTypeOf, it } from 'vitest';
import type { Disposable, PermissionDecision } from '@x/ipc';
import type { LoopOutcome } from './agent-loop.js';
import { createRunner, type Runner, type RunnerState } from './create-runner.js';
import { defineAgent, type TurnContext } from './define-agent.js';
import type { TimeoutError, TurnTimeoutError } from './errors.js';
import type { TurnHandle, TurnOutcome, TurnStatus } from './turn.js';

/** Keeps a body for the type checker only: it is never called. */
function typeOnly(_body: () => void): void {}

const chat = defineAgent({
  setup: () => ({ history: [] as string[] }),
  turn(input: { text: string }, ctx) {
    expectTypeOf(ctx).toEqualTypeOf<TurnContext<Record<string, unknown>, { history: string[] }>>();
    ctx.state.history.push(input.text);
    return { reply: input.text.length };
  },
});

describe('createRunner types', () => {
  it('infers the turn input and output from the agent', () =>
    typeOnly(() => {
      const runner = createRunner(chat, { name: 'chat' });
      expectTypeOf(runner).toEqualTypeOf<Runner<{ text: string }, { reply: number }>>();
      const handle = runner.submitTurn({ text: 'hi' });
      expectTypeOf(handle).toEqualTypeOf<TurnHandle<{ reply: number }>>();
      expectTypeOf(handle.result()).resolves.toEqualTypeOf<{ reply: number }>();
      expectTypeOf(handle.result({ timeoutMs: 5 })).resolves.toEqualTypeOf<{ reply: number }>();
      expectTypeOf(handle.done()).resolves.toEqualTypeOf<TurnOutcome<{ reply: number }>>();
      expectTypeOf(handle.status).toEqualTypeOf<TurnStatus>();
      expectTypeOf(handle.signal).toEqualTypeOf<AbortSignal>();
      expectTypeOf<ReturnType<TurnHandle['cancel']>>().toEqualTypeOf<boolean>();
      // @ts-expect-error the input must be { text: string }
      runner.submitTurn({ txt: 'hi' });
      // @ts-expect-error timeoutMs is a number of ms
      void handle.result({ timeoutMs: '5s' });
    }));

  it('types the lifecycle and the subscriptions', () =>
    typeOnly(() => {
      const runner = createRunner(chat);
      expectTypeOf(runner.start()).toEqualTypeOf<Promise<void>>();
      expectTypeOf(runner.stop({ graceMs: 1000 })).toEqualTypeOf<Promise<LoopOutcome>>();
      expectTypeOf(runner.finished).toEqualTypeOf<Promise<LoopOutcome>>();
      expectTypeOf(runner.state).toEqualTypeOf<RunnerState>();
      expectTypeOf(
        runner.onTurnResult((outcome) => {
          expectTypeOf(outcome).toEqualTypeOf<TurnOutcome<{ reply: number }>>();
          if (outcome.status === 'ok') {
            expectTypeOf(outcome.output).toEqualTypeOf<{ reply: number }>();
          } else {
            expectTypeOf(outcome.error).toEqualTypeOf<string>();
          }
        }),
      ).toEqualTypeOf<Disposable>();
      expectTypeOf<Parameters<Parameters<typeof runner.onLog>[0]>[0]>().toHaveProperty('level');
      // @ts-expect-error graceMs is a number of ms
      void runner.stop({ graceMs: '1s' });
      // @ts-expect-error there is no `restart`
      runner.restart();
    }));

  it('takes a permission handler returning a decision, sync or async', () =>
    typeOnly(() => {
      createRunner(chat, { onPermissionRequest: () => 'granted' });
      createRunner(chat, {
        onPermissionRequest: async (request, signal) => {
          expectTypeOf(request.tool).toEqualTypeOf<string>();
          expectTypeOf(signal).toEqualTypeOf<AbortSignal>();
          return Promise.resolve<PermissionDecision>('denied');
        },
      });
      // @ts-expect-error the decision is 'granted' or 'denied'
      createRunner(chat, { onPermissionRequest: () => 'maybe' });
    }));

  it('types params from the agent', () =>
    typeOnly(() => {
      const agent = defineAgent<{ city: string }>({ step: (ctx) => void ctx.params.city });
      createRunner(agent, { params: { city: 'Oslo' } });
      // @ts-expect-error params must match the agent's P
      createRunner(agent, { params: { town: 'Oslo' } });
    }));

  it('defineAgent needs a step or a turn, and types requestPermission', () =>
    typeOnly(() => {
      // @ts-expect-error neither step nor turn
      defineAgent({ setup: () => undefined });
      defineAgent({ step: () => undefined });
      defineAgent({
        async turn(_input: unknown, ctx) {
          expectTypeOf(ctx.requestPermission({ tool: 'shell' })).resolves.toEqualTypeOf<
            'granted' | 'denied'
          >();
          // @ts-expect-error tool is required
          await ctx.requestPermission({ rationale: 'why' });
        },
      });
    }));

  it('a turn timeout is a TimeoutError', () =>
    typeOnly(() => {
      expectTypeOf<TurnTimeoutError>().toMatchTypeOf<TimeoutError>();
      expectTypeOf<TurnTimeoutError['turnId']>().toEqualTypeOf<string>();
    }));
});
