import { describe, expect, it } from 'vitest';
import { parseFastArgv } from './fast-argv.js';

describe('parseFastArgv: the client commands that skip commander', () => {
  it.each([
    [['--version'], { kind: 'version' }],
    [['-v'], { kind: 'version' }],
    [['agent', 'list'], { kind: 'agent-list', json: false, all: false }],
    [['agent', 'ls', '--json'], { kind: 'agent-list', json: true, all: false }],
    [['agent', 'list', '-a'], { kind: 'agent-list', json: false, all: true }],
    [['--json', 'agent', 'list', '--all'], { kind: 'agent-list', json: true, all: true }],
    [['agent', '--json', 'list'], { kind: 'agent-list', json: true, all: false }],
    [
      ['--home', '/h', 'agent', 'list'],
      { kind: 'agent-list', home: '/h', json: false, all: false },
    ],
    [
      ['agent', 'list', '--home', 'rel/dir', '--json'],
      { kind: 'agent-list', home: 'rel/dir', json: true, all: false },
    ],
    [
      ['agent', 'status', 'idle'],
      { kind: 'agent-status', json: false, ref: 'idle', iterations: 5 },
    ],
    [
      ['agent', 'status', '--json', 'idle', '--iterations', '0'],
      { kind: 'agent-status', json: true, ref: 'idle', iterations: 0 },
    ],
    [
      ['agent', 'status', '--name', 'idle'],
      { kind: 'agent-status', json: false, ref: 'idle', iterations: 5 },
    ],
    // commander's action: the positional wins over --name.
    [
      ['agent', 'status', 'r-1', '--name', 'idle'],
      { kind: 'agent-status', json: false, ref: 'r-1', iterations: 5 },
    ],
    [['daemon', 'status'], { kind: 'daemon-status', json: false }],
    [
      ['daemon', 'status', '--json', '--home', '/h'],
      { kind: 'daemon-status', home: '/h', json: true },
    ],
  ])('x %j is taken', (args, expected) => {
    expect(parseFastArgv(args)).toEqual(expected);
  });

  it.each([
    [[]],
    [['--help']],
    [['agent', 'list', '--help']],
    [['--version', '--json']],
    [['agent']],
    [['agent', 'start', 'a.mjs']],
    [['daemon', 'start']],
    [['agent', 'list', 'extra']],
    [['agent', 'list', '-aj']],
    [['agent', '-a', 'list']],
    [['agent', 'list', '-a', '--all']],
    [['agent', 'list', '--json', '--json']],
    [['agent', 'list', '--home']],
    [['agent', 'list', '--home', '--json']],
    [['agent', 'list', '--home=/h']],
    [['agent', 'list', '--home', '/a', '--home', '/b']],
    [['agent', 'status']],
    [['agent', 'status', 'a', 'b']],
    [['agent', 'status', '--name']],
    [['agent', 'status', '--name', '--json', 'idle']],
    [['agent', 'status', 'idle', '--iterations', '-1']],
    [['agent', 'status', 'idle', '--iterations', '1.5']],
    [['agent', 'status', 'idle', '--iterations', '1e3']],
    [['agent', 'status', 'idle', '--iterations', '1234567890']],
    [['agent', 'status', '--iterations', '2', 'idle', '--iterations', '3']],
    [['agent', 'status', 'idle', '--', 'x']],
    [['daemon', 'status', '--all']],
    [['daemon', 'status', 'now']],
  ])('x %j goes to commander', (args) => {
    expect(parseFastArgv(args)).toBeUndefined();
  });
});
