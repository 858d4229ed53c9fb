import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, FIXTURES, tempHome, waitFor, x, xJson, type Result } from './helpers.js';

interface Turn {
  turnId: string;
  status: string;
  output: unknown;
  error: string | null;
}

interface Permission {
  requestId: string;
  tool: string;
  decision: string | null;
  decidedBy: string | null;
  reason: string | null;
}

interface Status {
  run: { runId: string; state: string };
  pendingPermissions: Permission[];
  recentTurns: Turn[];
}

/** Runs `x` with stdin (for `x agent send <run> -`). */
function xWithStdin(home: string, args: string[], stdin: string): Promise<Result> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      env: { ...process.env, X_HOME: home },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (data) => (stdout += String(data)));
    child.stderr.on('data', (data) => (stderr += String(data)));
    child.on('close', (code) => resolve({ code: code ?? 1, stdout, stderr }));
    child.stdin.end(stdin);
  });
}

describe('x agent send / turns / approve / deny (real daemon, kernel runners, socket, SQLite)', () => {
  const home = tempHome();
  const start = async (fixture: string, name: string, ...extra: string[]) => {
    const result = await x(home.path, [
      'agent',
      'start',
      `${FIXTURES}${fixture}`,
      '--name',
      name,
      ...extra,
    ]);
    expect(result.code, result.stderr).toBe(0);
  };
  const status = (ref: string) => xJson<Status>(home.path, ['agent', 'status', ref]);

  beforeAll(async () => {
    const started = await x(home.path, ['daemon', 'start']);
    expect(started.code, started.stderr).toBe(0);
  });
  afterAll(async () => {
    await x(home.path, ['daemon', 'stop']);
    home.remove();
  });

  it('send --wait prints the agent answer; without --wait the turn id, readable later', async () => {
    await start('turn-echo.mjs', 'echo');
    const waited = await x(home.path, ['agent', 'send', 'echo', '{"q":[1,2]}', '--wait']);
    expect(waited.code, waited.stderr).toBe(0);
    expect(JSON.parse(waited.stdout)).toEqual({ echo: { q: [1, 2] } });
    // Not valid JSON: sent as the string itself.
    const text = await xJson<Turn>(home.path, ['agent', 'send', 'echo', 'hello there', '--wait']);
    expect(text).toMatchObject({ status: 'ok', output: { echo: 'hello there' } });
    const piped = await xWithStdin(home.path, ['agent', 'send', 'echo', '-', '--wait'], '42\n');
    expect(JSON.parse(piped.stdout)).toEqual({ echo: 42 });

    const sent = await x(home.path, ['agent', 'send', 'echo', '"later"']);
    expect(sent.code).toBe(0);
    const turnId = sent.stdout.trim();
    expect(turnId).toMatch(/^t-\d+$/);
    expect(
      await waitFor(async () => {
        const one = await xJson<Turn>(home.path, ['agent', 'turns', 'echo', turnId]);
        return one.status === 'ok';
      }, 10_000),
    ).toBe(true);
    const one = await xJson<Turn>(home.path, ['agent', 'turns', 'echo', turnId]);
    expect(one.output).toEqual({ echo: 'later' });
    const listed = await x(home.path, ['agent', 'turns', 'echo']);
    expect(listed.stdout).toMatch(new RegExp(`${turnId}\\s+ok`));
    expect((await status('echo')).recentTurns[0]?.turnId).toBe(turnId);
  });

  it('a turn that throws exits 1 with its error; a step-only agent refuses turns, naming the fix', async () => {
    await start('turn-throws.mjs', 'throws');
    const failed = await x(home.path, ['agent', 'send', 'throws', '"boom"', '--wait']);
    expect(failed.code).toBe(1);
    expect(failed.stderr).toMatch(/turn t-\d+ of throws failed: .*turn failed on purpose: "boom"/);
    const json = await xJson<{ error: { exitCode: number; data: Turn } }>(home.path, [
      'agent',
      'send',
      'throws',
      '"boom"',
      '--wait',
    ]);
    expect(json.$code).toBe(1);
    expect(json.error.data).toMatchObject({ status: 'error' });

    await start('counter.mjs', 'steps-only');
    const refused = await x(home.path, ['agent', 'send', 'steps-only', 'hi']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(
      /steps-only \(run r-\w+\) does not accept turns.*turn\(input, ctx\)/,
    );
  });

  it('--wait --timeout gives up with exit 124 while the turn keeps running', async () => {
    await start('turn-slow.mjs', 'slow-timeout');
    const result = await x(home.path, [
      'agent',
      'send',
      'slow-timeout',
      '{"ms":60000}',
      '--wait',
      '--timeout',
      '300',
    ]);
    expect(result.code).toBe(124);
    expect(result.stderr).toMatch(
      /no result after 300 ms \(--timeout\): it is queued or running.*x agent turns slow-timeout t-1/,
    );
    expect((await status('slow-timeout')).recentTurns[0]).toMatchObject({ status: 'pending' });
  });

  it('a long turn cancelled by `x agent stop` reports cancelled to the waiting caller', async () => {
    await start('turn-slow.mjs', 'slow');
    const waiting = x(home.path, ['agent', 'send', 'slow', '{"ms":60000}', '--wait']);
    expect(await waitFor(async () => (await status('slow')).recentTurns.length === 1, 10_000)).toBe(
      true,
    );
    const stopped = await x(home.path, ['agent', 'stop', 'slow']);
    expect(stopped.code, stopped.stderr).toBe(0);
    const result = await waiting;
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/turn t-1 of slow was cancelled/);
  });

  it('x agent approve answers a pending request; the agent sees granted; status lists it while pending', async () => {
    await start('ask-permission.mjs', 'ask');
    const waiting = xJson<Turn>(home.path, ['agent', 'send', 'ask', '{"tool":"shell"}', '--wait']);
    expect(
      await waitFor(async () => (await status('ask')).pendingPermissions.length === 1, 10_000),
    ).toBe(true);
    const [request] = (await status('ask')).pendingPermissions;
    expect(request).toMatchObject({ tool: 'shell', decision: null });
    const text = await x(home.path, ['agent', 'status', 'ask']);
    expect(text.stdout).toMatch(/pending permission requests/);
    expect(text.stdout).toMatch(new RegExp(`${request.requestId}\\s+shell`));

    const approved = await x(home.path, ['agent', 'approve', 'ask', request.requestId]);
    expect(approved.code, approved.stderr).toBe(0);
    expect(await waiting).toMatchObject({ status: 'ok', output: { decision: 'granted' } });
    expect((await status('ask')).pendingPermissions).toEqual([]);

    const again = await x(home.path, ['agent', 'deny', 'ask', request.requestId]);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/already answered: granted by client/);
    const unknown = await x(home.path, ['agent', 'deny', 'ask', 'no-such-request']);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/has no permission request "no-such-request"/);
  });

  it('x agent deny passes its reason; an unanswered request is denied at its timeout', async () => {
    await start('ask-permission.mjs', 'ask-deny');
    const waiting = xJson<Turn>(home.path, ['agent', 'send', 'ask-deny', '{}', '--wait']);
    expect(
      await waitFor(async () => (await status('ask-deny')).pendingPermissions.length === 1, 10_000),
    ).toBe(true);
    const [request] = (await status('ask-deny')).pendingPermissions;
    const denied = await xJson<Permission>(home.path, [
      'agent',
      'deny',
      'ask-deny',
      request.requestId,
      '--reason',
      'not today',
    ]);
    expect(denied).toMatchObject({ decision: 'denied', decidedBy: 'client', reason: 'not today' });
    expect(await waiting).toMatchObject({ output: { decision: 'denied' } });

    await start('ask-permission.mjs', 'ask-timeout', '--permission-timeout', '300');
    const timedOut = await xJson<Turn>(home.path, ['agent', 'send', 'ask-timeout', '{}', '--wait']);
    expect(timedOut).toMatchObject({ status: 'ok', output: { decision: 'denied' } });
  });

  it('--auto-approve grants the listed tools without asking, and only those', async () => {
    await start('ask-permission.mjs', 'auto', '--auto-approve', 'read,write');
    const granted = await xJson<Turn>(home.path, [
      'agent',
      'send',
      'auto',
      '{"tool":"read"}',
      '--wait',
      '--timeout',
      '20000',
    ]);
    expect(granted).toMatchObject({ status: 'ok', output: { decision: 'granted' } });
    await x(home.path, ['agent', 'send', 'auto', '{"tool":"shell"}']);
    expect(
      await waitFor(async () => (await status('auto')).pendingPermissions.length === 1, 10_000),
    ).toBe(true);
    expect((await status('auto')).pendingPermissions[0]?.tool).toBe('shell');
  });

  it('stopping a run denies its pending requests (stopped)', async () => {
    await start('ask-permission-step.mjs', 'ask-step');
    expect(
      await waitFor(async () => (await status('ask-step')).pendingPermissions.length === 1, 10_000),
    ).toBe(true);
    const [request] = (await status('ask-step')).pendingPermissions;
    const stopped = await x(home.path, ['agent', 'stop', 'ask-step']);
    expect(stopped.code, stopped.stderr).toBe(0);
    const after = await status('ask-step');
    expect(after.pendingPermissions).toEqual([]);
    const late = await x(home.path, ['agent', 'approve', 'ask-step', request.requestId]);
    expect(late.code).toBe(1);
    expect(late.stderr).toMatch(/already answered: denied by stopped \(stopped\)/);
  });
});
