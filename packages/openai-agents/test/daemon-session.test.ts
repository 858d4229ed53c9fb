// examples/openai-agents/chat-memory.mjs under a real daemon through the built CLI (`x`): two
// turns of one conversation (`session: xSession(ctx)`), the subprocess runner killed (-9)
// between them; the restarted attempt's model is sent the first turn's items, read back from
// the daemon's SQLite. Needs @x/cli, @x/kernel and @x/openai-agents built.
import { mkdtempSync, rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { example, until, x } from './x-cli.js';

interface Status {
  run: { state: string; attempt: number; pid: number | null };
  usage: { calls: number };
}

describe('@x/openai-agents under a real daemon: a session across kill -9', () => {
  const home = mkdtempSync('/tmp/x-oas-');
  const status = async (name: string) =>
    JSON.parse((await x(home, ['agent', 'status', name, '--json'])).stdout) as Status;
  const send = (name: string, text: string) => x(home, ['agent', 'send', name, text, '--wait']);
  beforeAll(async () => {
    expect((await x(home, ['daemon', 'start'])).code).toBe(0);
  });
  afterAll(async () => {
    await x(home, ['daemon', 'stop']);
    rmSync(home, { recursive: true, force: true });
  });

  it('the second turn, in the attempt after a kill -9, sees the first turn; another session id does not', async () => {
    const start = await x(home, [
      'agent',
      'start',
      example('chat-memory.mjs'),
      '--name',
      'chat',
      '--runner-mode',
      'subprocess',
      '--restart',
      'on-failure',
    ]);
    expect(start.code, start.stderr).toBe(0);
    await until(async () => (await status('chat')).run.state === 'running');
    const first = await send('chat', 'My name is Ada.');
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout.trim()).toBe('Nice to meet you, Ada.');

    const { pid } = (await status('chat')).run;
    process.kill(pid as number, 'SIGKILL');
    await until(async () => {
      const now = (await status('chat')).run;
      return now.attempt === 2 && now.state === 'running';
    });
    const second = await send('chat', 'What is my name?');
    expect(second.code, second.stderr).toBe(0);
    // the user's message and the model's answer of attempt 1, from the daemon
    expect(second.stdout.trim()).toBe('Your name is Ada. (from 2 earlier items)');
    expect((await status('chat')).usage.calls).toBe(2);

    // the same agent in another run, on a session of its own
    const other = await x(home, [
      'agent',
      'start',
      example('chat-memory.mjs'),
      '--name',
      'other',
      '--param',
      'sessionId=user-2',
    ]);
    expect(other.code, other.stderr).toBe(0);
    await until(async () => (await status('other')).run.state === 'running');
    expect((await send('other', 'What is my name?')).stdout.trim()).toBe(
      'I do not know your name yet. (from 0 earlier items)',
    );
  });
});
