import { describe, expect, it } from 'vitest';
import { sameSpareKey, spareKeyOf } from './spare-key.js';

const base = { PATH: '/usr/bin', HOME: '/home/me' };
const spec = { codec: 'jsonl', cwd: '/srv', env: {}, command: undefined } as const;

describe('spareKeyOf', () => {
  it.each([
    ['own runner, no env', spec, { codec: 'jsonl', cwd: '/srv' }],
    ['msgpack keeps its codec', { ...spec, codec: 'msgpack' }, { codec: 'msgpack', cwd: '/srv' }],
    [
      'env equal to the daemon env is no difference',
      { ...spec, env: { PATH: '/usr/bin' } },
      { codec: 'jsonl', cwd: '/srv' },
    ],
    [
      'a command run',
      { ...spec, command: ['bash', 'r.sh'] },
      { reason: 'the run has its own command' },
    ],
    ['an extra variable', { ...spec, env: { TOKEN: 'a' } }, { reason: 'the run sets TOKEN' }],
    ['a changed variable', { ...spec, env: { PATH: '/bin' } }, { reason: 'the run sets PATH' }],
    [
      'maxMemoryMb (NODE_OPTIONS from the supervisor)',
      { ...spec, env: { NODE_OPTIONS: '--max-old-space-size=64' } },
      { reason: 'the run sets NODE_OPTIONS' },
    ],
  ] as const)('%s', (_title, input, expected) => {
    expect(spareKeyOf(input, base)).toEqual(expected);
  });
});

describe('sameSpareKey', () => {
  it.each([
    [{ codec: 'jsonl', cwd: '/a' }, { codec: 'jsonl', cwd: '/a' }, true],
    [{ codec: 'jsonl', cwd: '/a' }, { codec: 'msgpack', cwd: '/a' }, false],
    [{ codec: 'jsonl', cwd: '/a' }, { codec: 'jsonl', cwd: '/b' }, false],
  ] as const)('%j and %j: %s', (a, b, expected) => {
    expect(sameSpareKey(a, b)).toBe(expected);
  });
});
