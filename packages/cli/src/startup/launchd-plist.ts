import { join } from 'node:path';
import { build } from 'plist';
import { daemonArgs, type StartupSpec } from './startup-spec.js';

/** Reverse-DNS prefix of the launchd labels `x startup` writes: `dev.x.` + the unit stem. */
export const LAUNCHD_LABEL_PREFIX = 'dev.x.';

/** The launchd label of a spec: `dev.x.x-daemon` for the default state directory. */
export function launchdLabel(spec: StartupSpec): string {
  return `${LAUNCHD_LABEL_PREFIX}${spec.name}`;
}

/**
 * Renders the launchd agent (`~/Library/LaunchAgents/<label>.plist`) that runs the daemon in
 * the foreground at login, as the systemd unit does: `RunAtLoad`; `KeepAlive` with
 * `SuccessfulExit: false`, so a crash brings it back and `x daemon stop` (exit 0) does not;
 * `ExitTimeOut` between launchd's SIGTERM and SIGKILL; its output appended to the state
 * directory's `daemon.log` (launchd has no journal). launchd has no readiness protocol: the
 * daemon is up when `x daemon status` answers. A fleet file is not started by launchd (it
 * runs one program); run `x up` after login, or in a second agent. Pure; the XML is written
 * by the `plist` package (escaping included).
 */
export function renderLaunchdPlist(spec: StartupSpec): string {
  const log = join(spec.home, 'daemon.log');
  return build({
    Label: launchdLabel(spec),
    ProgramArguments: [spec.nodePath, spec.binPath, ...daemonArgs(spec)],
    EnvironmentVariables: { ...spec.environment },
    RunAtLoad: true,
    KeepAlive: { SuccessfulExit: false },
    // launchd's default throttle is 10 s between launches; 2 s as the systemd unit's RestartSec.
    ThrottleInterval: 2,
    ExitTimeOut: spec.stopTimeoutSec,
    ProcessType: 'Background',
    StandardOutPath: log,
    StandardErrorPath: log,
  });
}
