// examples/openai-agents/refund-desk.mjs under a real daemon through the built CLI (`x`): the
// refund tool's approval is an x permission request; the subprocess runner is killed (-9)
// while it is pending; the restarted attempt restores the saved RunState and asks again
// without calling the model again; `x agent approve` lets the tool run and the run end. Then
// --auto-approve (granted without asking) and --permission-timeout (denied when unanswered).
// Then streamed runs (`--param stream=true`: runWithX's onStreamEvent) in both runner modes.
// Needs @x/cli, @x/kernel and @x/openai-agents built.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { example, until, x } from './x-cli.js';

const EXAMPLE = example('refund-desk.mjs');
/** One scripted reply, 1 000 tokens in and 100 out, at gpt-4o-mini's $0.15 and $0.60 per million. */
const REPLY_COST_USD = (1000 * 0.15 + 100 * 0.6) / 1e6;

interface Status {
  run: { state: string; attempt: number; pid: number | null; lastSummary: string | null };
  usage: { inputTokens: number; outputTokens: number; costUsd: number; calls: number };
  pendingPermissions: { requestId: string; tool: string; input: unknown; attempt: number }[];
}

describe('@x/openai-agents under a real daemon: approvals across kill -9, streamed runs', () => {
  const home = mkdtempSync('/tmp/x-oa-');
  const status = async (name: string) =>
    JSON.parse((await x(home, ['agent', 'status', name, '--json'])).stdout) as Status;
  beforeAll(async () => {
    expect((await x(home, ['daemon', 'start'])).code).toBe(0);
  });
  afterAll(async () => {
    await x(home, ['daemon', 'stop']);
    rmSync(home, { recursive: true, force: true });
  });

  it('subprocess runner killed while the refund approval is pending: asked again, approved, the run ends', async () => {
    const name = 'desk';
    const trace = `${home}/trace.txt`;
    const lines = () => (existsSync(trace) ? readFileSync(trace, 'utf8').split('\n') : []);
    const start = await x(home, [
      'agent',
      'start',
      EXAMPLE,
      '--name',
      name,
      '--runner-mode',
      'subprocess',
      '--restart',
      'on-failure',
      '--param',
      `trace=${trace}`,
    ]);
    expect(start.code, start.stderr).toBe(0);
    await until(async () => (await status(name)).pendingPermissions.length === 1);
    let seen = await status(name);
    expect(seen.pendingPermissions[0]).toMatchObject({
      tool: 'refund',
      input: { order: 42 },
      attempt: 1,
    });
    expect(lines().filter(Boolean)).toEqual(['model 1']);

    process.kill(seen.run.pid as number, 'SIGKILL');
    await until(async () => {
      const now = await status(name);
      return now.run.attempt === 2 && now.pendingPermissions.length === 1;
    });
    seen = await status(name);
    const request = seen.pendingPermissions[0];
    expect(request).toMatchObject({ tool: 'refund', input: { order: 42 }, attempt: 2 });
    expect(lines().filter(Boolean)).toEqual(['model 1']); // not asked of the model again

    const approved = await x(home, ['agent', 'approve', name, request.requestId]);
    expect(approved.code, approved.stderr).toBe(0);
    await until(async () => (await status(name)).run.state === 'exited');
    seen = await status(name);
    expect(seen.run.lastSummary).toBe('Order 42 is refunded. Anything else?');
    // attempt 2's first model call (its counter is per process) answers the customer
    expect(lines().filter(Boolean)).toEqual(['model 1', 'refund 42', 'model 1']);
    expect(seen.usage).toMatchObject({ calls: 2, inputTokens: 2000, outputTokens: 200 });
    expect(seen.usage.costUsd).toBeCloseTo(2 * REPLY_COST_USD, 10);
  });

  it('--auto-approve refund answers without asking; --permission-timeout denies an unanswered one', async () => {
    const auto = await x(home, [
      'agent',
      'start',
      EXAMPLE,
      '--name',
      'auto',
      '--auto-approve',
      'refund',
      '--param',
      'replyMs=10',
    ]);
    expect(auto.code, auto.stderr).toBe(0);
    const timeout = await x(home, [
      'agent',
      'start',
      EXAMPLE,
      '--name',
      'timeout',
      '--permission-timeout',
      '500',
      '--param',
      'order=7',
      '--param',
      'replyMs=10',
    ]);
    expect(timeout.code, timeout.stderr).toBe(0);
    await until(async () => (await status('auto')).run.state === 'exited');
    await until(async () => (await status('timeout')).run.state === 'exited');
    expect((await status('auto')).run.lastSummary).toBe('Order 42 is refunded. Anything else?');
    expect((await status('timeout')).run.lastSummary).toBe(
      'I could not refund order 7: it was not approved.',
    );
  });

  it.each(['subprocess', 'thread'])(
    'streamed runs (%s runner): the answer goes out word by word as notifications; the same result, usage and cost',
    async (mode) => {
      const name = `streamed-${mode}`;
      const start = await x(home, [
        'agent',
        'start',
        EXAMPLE,
        '--name',
        name,
        '--runner-mode',
        mode,
        '--auto-approve',
        'refund',
        '--param',
        'replyMs=10',
        '--param',
        'stream=true',
      ]);
      expect(start.code, start.stderr).toBe(0);
      await until(async () => (await status(name)).run.state === 'exited');
      const seen = await status(name);
      expect(seen.run.lastSummary).toBe('Order 42 is refunded. Anything else?');
      expect(seen.usage).toMatchObject({ calls: 2, inputTokens: 2000, outputTokens: 200 });
      expect(seen.usage.costUsd).toBeCloseTo(2 * REPLY_COST_USD, 10);
      const events = (await x(home, ['events', '--run', name, '--type', 'notify', '--json'])).stdout
        .split('\n')
        .filter(Boolean)
        .map((line) => JSON.parse(line) as { payload: { delta: string } });
      const deltas = events.map((event) => event.payload.delta);
      expect(deltas).toEqual(['Order ', '42 ', 'is ', 'refunded. ', 'Anything ', 'else?']);
    },
  );
});
