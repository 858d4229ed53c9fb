import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { startupSpec, type StartupSpecInput } from './startup-spec.js';
import { quoteAssignment, quoteExecArg, renderSystemdUnit } from './systemd-unit.js';

const input: StartupSpecInput = {
  home: '/home/ada/.local/state/x',
  defaultHome: '/home/ada/.local/state/x',
  nodePath: process.execPath,
  binPath: '/opt/x/bin.js',
  env: { PATH: '/usr/local/bin:/usr/bin:/bin', SECRET: 's3cret', HOME: '/home/ada' },
};

describe('quoteExecArg', () => {
  it.each([
    ['/usr/bin/node', '/usr/bin/node'],
    ['--home', '--home'],
    ['/tmp/a b', '"/tmp/a b"'],
    ['100%', '100%%'],
    ['$HOME', '"$$HOME"'],
    ['a"b', '"a\\"b"'],
    ['a\\b', '"a\\\\b"'],
    [';', '";"'],
    ["it's", '"it\'s"'],
    ['', '""'],
    ['/tmp/ü', '"/tmp/ü"'],
  ])('%j is written %j', (word, expected) => {
    expect(quoteExecArg(word)).toBe(expected);
  });

  it.each(['a\nb', 'tab\there', 'nul\u0000'])('%j (a control character) is refused', (word) => {
    expect(() => quoteExecArg(word)).toThrow(/control character/);
  });
});

describe('quoteAssignment', () => {
  it.each([
    ['PATH=/usr/bin:/bin', 'PATH=/usr/bin:/bin'],
    ['X_HOME=/tmp/a b', '"X_HOME=/tmp/a b"'],
    // No variable expansion in Environment=: `$` stays one dollar.
    ['PS=$x', '"PS=$x"'],
    ['P=50%', 'P=50%%'],
  ])('%j is written %j', (assignment, expected) => {
    expect(quoteAssignment(assignment)).toBe(expected);
  });
});

describe('renderSystemdUnit', () => {
  it('runs the daemon in the foreground as a Type=notify service restarted on failure', () => {
    const unit = renderSystemdUnit(startupSpec(input));
    const lines = unit.split('\n');
    expect(lines).toContain('Type=notify');
    expect(lines).toContain('NotifyAccess=all');
    expect(lines).toContain('Restart=on-failure');
    expect(lines).toContain('KillMode=mixed');
    expect(lines).toContain('TimeoutStopSec=90');
    expect(lines).toContain('WantedBy=default.target');
    expect(lines).toContain(
      `ExecStart=${process.execPath} /opt/x/bin.js daemon start --foreground --home /home/ada/.local/state/x`,
    );
    expect(lines).toContain('Environment=PATH=/usr/local/bin:/usr/bin:/bin');
    expect(lines).toContain('Environment=X_HOME=/home/ada/.local/state/x');
    expect(unit).not.toContain('SECRET');
    expect(unit).not.toContain('ExecStartPost');
  });

  it('a config file: the daemon loads its hooks, x up starts its fleet once the daemon is ready; --env adds a variable', () => {
    const unit = renderSystemdUnit(
      startupSpec({ ...input, configPath: '/srv/fleet/x.config.json', passEnv: ['SECRET'] }),
    );
    expect(unit).toContain(
      `ExecStart=${process.execPath} /opt/x/bin.js daemon start --foreground --home /home/ada/.local/state/x --config /srv/fleet/x.config.json\n`,
    );
    expect(unit).toContain(
      `ExecStartPost=-${process.execPath} /opt/x/bin.js up --home /home/ada/.local/state/x --file /srv/fleet/x.config.json\n`,
    );
    expect(unit).toContain('Environment=SECRET=s3cret\n');
  });

  it('a state directory with a space, % and $ is quoted and escaped', () => {
    const unit = renderSystemdUnit(startupSpec({ ...input, home: '/tmp/my x/50%$' }));
    expect(unit).toContain('--home "/tmp/my x/50%%$$"\n');
    expect(unit).toContain('Environment="X_HOME=/tmp/my x/50%%$"\n');
    expect(unit).toContain('Description=x supervisor daemon (state in /tmp/my x/50%%$)\n');
  });

  it('a state directory holding a newline is refused, naming it', () => {
    expect(() => renderSystemdUnit(startupSpec({ ...input, home: '/tmp/a\nb' }))).toThrow(
      /"\/tmp\/a\\nb" holds a control character \(code 10\)/,
    );
  });
});

const analyze = spawnSync('systemd-analyze', ['--version']).status === 0;

// systemd-analyze comes with systemd (Debian: the `systemd` package); without it there is
// nothing to verify against, and the test says so in its title.
describe.skipIf(!analyze)(
  'systemd-analyze verify (skipped where systemd-analyze is not installed)',
  () => {
    it.each([
      ['the default unit', {}],
      [
        'a unit with a fleet file, --env and an awkward state directory',
        {
          home: '/tmp/my "x"/50% $HOME\\',
          configPath: '/tmp/fleet dir/x.config.json',
          passEnv: ['SECRET'],
        },
      ],
    ])('accepts %s with no warning', (_title, extra: Partial<StartupSpecInput>) => {
      const dir = mkdtempSync('/tmp/x-unit-');
      try {
        // A real node and bin.js: verify checks that ExecStart's program exists.
        const unit = renderSystemdUnit(
          startupSpec({ ...input, ...extra, binPath: join(dir, 'bin.js') }),
        );
        writeFileSync(join(dir, 'bin.js'), '');
        writeFileSync(join(dir, 'x-daemon.service'), unit);
        // --user needs a runtime directory; root in a container has none.
        const result = spawnSync(
          'systemd-analyze',
          ['--user', 'verify', join(dir, 'x-daemon.service')],
          {
            env: { ...process.env, XDG_RUNTIME_DIR: dir },
            encoding: 'utf8',
          },
        );
        expect(result.stderr).toBe('');
        expect(result.status).toBe(0);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });

    it('and refuses a broken unit (the check can fail)', () => {
      const dir = mkdtempSync('/tmp/x-unit-');
      try {
        writeFileSync(
          join(dir, 'bad.service'),
          '[Service]\nType=notify\nExecStart=relative/node\n',
        );
        expect(() =>
          execFileSync('systemd-analyze', ['--user', 'verify', join(dir, 'bad.service')], {
            env: { ...process.env, XDG_RUNTIME_DIR: dir },
            stdio: 'pipe',
          }),
        ).toThrow(/relative\/node/);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  },
);
