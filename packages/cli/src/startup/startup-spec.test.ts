import { describe, expect, it } from 'vitest';
import { startupSpec, unitStem, type StartupSpecInput } from './startup-spec.js';

const input: StartupSpecInput = {
  home: '/home/ada/.local/state/x',
  defaultHome: '/home/ada/.local/state/x',
  nodePath: '/usr/bin/node',
  binPath: '/opt/x/bin.js',
  env: { PATH: '/usr/bin', TOKEN: 't' },
};

describe('startupSpec', () => {
  it('gives the daemon PATH and X_HOME, nothing else unless asked', () => {
    expect(startupSpec(input).environment).toEqual({
      PATH: '/usr/bin',
      X_HOME: '/home/ada/.local/state/x',
    });
    expect(startupSpec({ ...input, passEnv: ['TOKEN'] }).environment.TOKEN).toBe('t');
  });

  it.each([
    [{ passEnv: ['NOT_SET'] }, /--env NOT_SET: the variable is not set/],
    [{ passEnv: ['A-B'] }, /--env "A-B" is not a variable name/],
    [{ home: 'relative/x' }, /the state directory must be absolute, got "relative\/x"/],
    [{ configPath: 'x.config.json' }, /the config file must be absolute/],
    [{ stopTimeoutSec: 0 }, /whole number of seconds ≥ 1, got 0/],
  ] as const)('%j is refused', (extra, message) => {
    expect(() => startupSpec({ ...input, ...extra })).toThrow(message);
  });
});

describe('unitStem', () => {
  it.each([
    ['/home/ada/.local/state/x', 'x-daemon'],
    ['/srv/x-prod', 'x-daemon-'],
  ])('%s → %s…', (home, prefix) => {
    const stem = unitStem(home, '/home/ada/.local/state/x');
    expect(stem.startsWith(prefix)).toBe(true);
    expect(stem).toMatch(/^x-daemon(-[0-9a-f]{8})?$/);
  });

  it('two state directories get two units', () => {
    expect(unitStem('/srv/a', '/d')).not.toBe(unitStem('/srv/b', '/d'));
  });
});
