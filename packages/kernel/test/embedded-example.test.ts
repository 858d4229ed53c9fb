import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

// Runs examples/embedded/chat.mjs as a user would (`node chat.mjs`, against the built
// kernel) and checks what it prints.

const run = promisify(execFile);

describe('examples/embedded/chat.mjs', () => {
  it('answers three turns, asks permission twice (ls granted, rm denied), stops, exits 0', async () => {
    const { stdout, stderr } = await run(process.execPath, ['chat.mjs'], {
      cwd: fileURLToPath(new URL('../../../examples/embedded', import.meta.url)),
      timeout: 20_000,
    });
    expect(stderr).toBe('');
    expect(stdout.trim().split('\n')).toEqual([
      'reply {"text":"you said: hello","turn":1}',
      'permission shell ls: granted',
      'log info: would run ls',
      'reply {"text":"ran ls"}',
      'permission shell rm -rf /: denied',
      'reply {"text":"not allowed to run rm -rf /"}',
      'stopped: stopped',
    ]);
  });
});
