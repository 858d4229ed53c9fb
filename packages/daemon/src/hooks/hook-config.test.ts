import { describe, expect, it } from 'vitest';
import { resolveHooks } from './hook-config.js';

describe('resolveHooks', () => {
  it('fills in the defaults of a command hook and an HTTP hook', () => {
    const [command, http] = resolveHooks([
      { on: ['run_state'], command: ['notify-send', 'x'] },
      { name: 'chat', on: ['permission_request'], url: 'https://chat.example/hook' },
    ]);
    expect(command).toEqual({
      kind: 'command',
      name: 'hook-1',
      on: ['run_state'],
      filter: {},
      command: ['notify-send', 'x'],
      cwd: undefined,
      env: {},
      timeoutMs: 10_000,
      queue: 100,
      queueBytes: 1024 * 1024,
      maxOutputBytes: 4096,
    });
    expect(http).toMatchObject({
      kind: 'http',
      name: 'chat',
      url: 'https://chat.example/hook',
      headers: {},
      retries: 3,
      backoffMs: 500,
      timeoutMs: 10_000,
    });
  });

  it.each([
    [{}, 'not an array', /hooks: expected an array of hooks, got \{\}/],
    [
      [{ on: ['run_state'] }],
      'neither command nor url',
      /hooks\[0\]: give exactly one of "command"/,
    ],
    [
      [{ on: ['run_state'], command: ['a'], url: 'http://h' }],
      'both command and url',
      /give exactly one of "command"/,
    ],
    [
      [{ on: ['run_sate'], command: ['a'] }],
      'a misspelt event type',
      /hooks\[0\]: field \/on\/0 .*\(one of run_state, .*permission_request.*\), got "run_sate"/,
    ],
    [[{ on: [], command: ['a'] }], 'no event type', /field \/on .*one of run_state/],
    [
      [{ on: ['run_state'], command: ['a'], filter: { states: ['crashed'] } }],
      'a reason given as a state',
      /field \/filter\/states\/0 .*\(one of starting, running, .*failed\), got "crashed"/,
    ],
    [
      [{ on: ['run_state'], command: ['a'], filter: { reasons: ['boom'] } }],
      'an unknown exit reason',
      /field \/filter\/reasons\/0 .*one of completed, stopped, .*oom/,
    ],
    [
      [{ on: ['log'], url: 'ftp://h/x' }],
      'a URL that is not http',
      /field \/url .*, got "ftp:\/\/h\/x"/,
    ],
    [
      [{ on: ['log'], url: 'http://' }],
      'a URL that does not parse',
      /field \/url "http:\/\/" is not a URL/,
    ],
    [
      [{ on: ['log'], command: ['a'], timeoutMs: 5 }],
      'a timeout under 100 ms',
      /field \/timeoutMs .*100/,
    ],
    [[{ on: ['log'], command: ['a'], qeue: 5 }], 'an unknown field', /field \/qeue/],
    [
      [
        { name: 'a', on: ['log'], command: ['a'] },
        { name: 'a', on: ['log'], command: ['b'] },
      ],
      'a name used twice',
      /hooks\[1\]: the name "a" is used twice/,
    ],
  ])('%j (%s) is refused, naming the entry and the field', (value, _what, message) => {
    expect(() => resolveHooks(value)).toThrow(message);
  });

  it('the error has the stable code X_DAEMON_HOOK_CONFIG and the caller’s prefix', () => {
    try {
      resolveHooks([{ on: ['x'], command: ['a'] }], 'x.config.json: hooks');
      expect.unreachable();
    } catch (error) {
      expect((error as { code: string }).code).toBe('X_DAEMON_HOOK_CONFIG');
      expect((error as Error).message).toMatch(/^x: x\.config\.json: hooks\[0\]: field \/on\/0/);
    }
  });
});
