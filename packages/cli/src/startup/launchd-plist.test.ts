import { parse } from 'plist';
import { describe, expect, it } from 'vitest';
import { launchdLabel, renderLaunchdPlist } from './launchd-plist.js';
import { startupSpec } from './startup-spec.js';

describe('renderLaunchdPlist', () => {
  it('is a plist a parser reads back as the daemon in the foreground, kept alive on failure', () => {
    const spec = startupSpec({
      home: '/Users/ada/.local/state/x',
      defaultHome: '/Users/ada/.local/state/x',
      nodePath: '/opt/homebrew/bin/node',
      binPath: '/opt/x/bin.js',
      env: { PATH: '/opt/homebrew/bin:/usr/bin:/bin' },
    });
    const text = renderLaunchdPlist(spec);
    expect(text).toMatch(/^<\?xml version="1.0" encoding="UTF-8"\?>\n<!DOCTYPE plist/);
    expect(parse(text)).toEqual({
      Label: 'dev.x.x-daemon',
      ProgramArguments: [
        '/opt/homebrew/bin/node',
        '/opt/x/bin.js',
        'daemon',
        'start',
        '--foreground',
        '--home',
        '/Users/ada/.local/state/x',
      ],
      EnvironmentVariables: {
        PATH: '/opt/homebrew/bin:/usr/bin:/bin',
        X_HOME: '/Users/ada/.local/state/x',
      },
      RunAtLoad: true,
      KeepAlive: { SuccessfulExit: false },
      ThrottleInterval: 2,
      ExitTimeOut: 90,
      ProcessType: 'Background',
      StandardOutPath: '/Users/ada/.local/state/x/daemon.log',
      StandardErrorPath: '/Users/ada/.local/state/x/daemon.log',
    });
    expect(launchdLabel(spec)).toBe('dev.x.x-daemon');
  });

  it('XML characters in a path survive the round trip', () => {
    const home = '/Users/a&b/<x> "q"';
    const spec = startupSpec({
      home,
      defaultHome: '/Users/ada/.local/state/x',
      nodePath: '/usr/bin/node',
      binPath: '/opt/x/bin.js',
      env: {},
    });
    const parsed = parse(renderLaunchdPlist(spec)) as { ProgramArguments: string[]; Label: string };
    expect(parsed.ProgramArguments.at(-1)).toBe(home);
    expect(parsed.Label).toMatch(/^dev\.x\.x-daemon-[0-9a-f]{8}$/);
  });
});
