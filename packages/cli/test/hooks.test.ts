import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FIXTURES, tempHome, waitFor, x, xJson } from './helpers.js';

describe('x daemon start --config: event hooks from x.config.json (real daemon and command)', () => {
  const home = tempHome();
  afterAll(async () => {
    await x(home.path, ['daemon', 'stop']);
    home.remove();
  });

  it('a bad hook is refused before a daemon starts (exit 78), naming the file, the hook and the field', async () => {
    const file = join(home.path, 'bad.json');
    writeFileSync(file, JSON.stringify({ hooks: [{ on: ['run_failed'], command: ['true'] }] }));
    const result = await x(home.path, ['daemon', 'start', '--config', file]);
    expect(result.code).toBe(78);
    expect(result.stderr).toContain(`${file}: hooks[0]: field /on/0`);
    expect(result.stderr).toContain('got "run_failed"');
    expect((await x(home.path, ['daemon', 'status'])).code).toBe(3);
  });

  it('a command hook runs in the file’s directory on a run that ended failed; x daemon status counts it', async () => {
    const file = join(home.path, 'x.config.json');
    writeFileSync(
      file,
      JSON.stringify({
        hooks: [
          {
            name: 'failed',
            on: ['run_state'],
            filter: { states: ['failed'] },
            command: ['sh', '-c', 'cat >> failed.ndjson'],
          },
        ],
      }),
    );
    expect((await x(home.path, ['daemon', 'start', '--config', file])).code).toBe(0);
    await x(home.path, [
      'agent',
      'start',
      `${FIXTURES}crash-at.mjs`,
      '--name',
      'boom',
      '--param',
      'at=1',
    ]);
    const out = join(home.path, 'failed.ndjson');
    const read = () => {
      try {
        return readFileSync(out, 'utf8');
      } catch {
        return '';
      }
    };
    expect(await waitFor(() => read() !== '', 20_000)).toBe(true);
    expect(JSON.parse(read().split('\n')[0])).toMatchObject({
      type: 'run_state',
      name: 'boom',
      run: { state: 'failed' },
    });

    const status = await x(home.path, ['daemon', 'status']);
    expect(status.stdout).toMatch(
      /^hook failed:\s+command on run_state: 1 delivered, 0 failed, 0 dropped \(queue full\), 0 queued$/m,
    );
    const json = await xJson<{ hooks: { name: string; delivered: number }[] }>(home.path, [
      'daemon',
      'status',
    ]);
    expect(json.hooks).toEqual([
      expect.objectContaining({ name: 'failed', kind: 'command', delivered: 1, dropped: 0 }),
    ]);
  });
});
