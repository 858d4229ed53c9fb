import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { isProcessAlive } from '../process/descriptor.js';
import { commandDeliverer, type CommandHookSpec } from './command-hook.js';

const dir = mkdtempSync('/tmp/x-hook-');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const event = {
  id: 42,
  type: 'permission_request',
  json: '{"id":42,"type":"permission_request"}',
  bytes: 37,
};
const spec = (command: string[], extra: Partial<CommandHookSpec> = {}): CommandHookSpec => ({
  name: 'h',
  command,
  cwd: dir,
  env: { GREETING: 'hi' },
  timeoutMs: 10_000,
  maxOutputBytes: 4096,
  ...extra,
});
const signal = () => new AbortController().signal;

describe('commandDeliverer (real processes)', () => {
  it('gives the event JSON on stdin and the hook variables in the environment', async () => {
    const out = join(dir, 'stdin.json');
    const result = await commandDeliverer(
      spec([
        'sh',
        '-c',
        `cat > ${out}; echo "$GREETING $X_HOOK_NAME $X_HOOK_EVENT $X_HOOK_EVENT_ID"`,
      ]),
    )(event, signal());
    expect(readFileSync(out, 'utf8')).toBe(`${event.json}\n`);
    expect(result).toMatchObject({
      ok: true,
      note: expect.stringMatching(/^exit 0 in \d+ ms; output: hi h permission_request 42$/),
    });
  });

  it('a non-zero exit fails, with the code and the output', async () => {
    const result = await commandDeliverer(spec(['sh', '-c', 'echo bad >&2; exit 3']))(
      event,
      signal(),
    );
    expect(result).toMatchObject({
      ok: false,
      error: expect.stringMatching(
        /^sh -c echo bad >&2; exit 3: exit code 3 \(\d+ ms\); output: bad$/,
      ),
    });
  });

  it('output past maxOutputBytes is counted, not kept', async () => {
    const result = await commandDeliverer(
      spec(['sh', '-c', 'head -c 10000 /dev/zero | tr "\\0" a'], { maxOutputBytes: 16 }),
    )(event, signal());
    expect(result).toMatchObject({
      ok: true,
      note: expect.stringContaining('output: aaaaaaaaaaaaaaaa … (9984 more bytes not kept)'),
    });
  });

  it('a program that does not exist fails the delivery', async () => {
    const result = await commandDeliverer(spec(['/nonexistent/hook']))(event, signal());
    expect(result).toMatchObject({
      ok: false,
      error: expect.stringContaining('cannot run /nonexistent/hook'),
    });
  });

  it('past its timeout the whole process group is killed, the background child too', async () => {
    const pidFile = join(dir, 'bg.pid');
    const started = Date.now();
    const result = await commandDeliverer(
      spec(['sh', '-c', `sleep 60 & echo $! > ${pidFile}; trap '' TERM; wait`], { timeoutMs: 300 }),
    )(event, signal());
    expect(result).toMatchObject({
      ok: false,
      error: expect.stringContaining('timed out after 300 ms'),
    });
    expect(Date.now() - started).toBeLessThan(10_000);
    const background = Number(readFileSync(pidFile, 'utf8'));
    expect(isProcessAlive(background)).toBe(false);
  });

  it('an abort (the daemon stops) ends a running hook', async () => {
    const controller = new AbortController();
    const pending = commandDeliverer(spec(['sleep', '60']))(event, controller.signal);
    setTimeout(() => controller.abort(), 100);
    expect(await pending).toMatchObject({
      ok: false,
      error: expect.stringContaining('the daemon is stopping'),
    });
  });
});
