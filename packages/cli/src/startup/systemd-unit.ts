import { CliError } from '../errors.js';
import { EXIT_CODES } from '../exit-codes.js';
import { daemonArgs, fleetUpArgs, type StartupSpec } from './startup-spec.js';

/**
 * Longest systemd waits for READY=1 (`TimeoutStartSec`): 60 s. The daemon is ready once it
 * serves its socket, after opening SQLite and taking over a dead daemon's runs; `x daemon
 * start` gives a detached daemon 15 s, this leaves room for a slow disk at boot.
 */
export const UNIT_START_TIMEOUT_SEC = 60;

/** `RestartSec`: 2 s between a failed daemon and its restart. */
export const UNIT_RESTART_SEC = 2;

/**
 * Renders the systemd user unit that runs the daemon in the foreground. Pure.
 *
 * - `Type=notify` with `NotifyAccess=all`: the daemon sends READY=1 once its control socket
 *   answers (through `systemd-notify --ready`, a child process, hence `all`), so `systemctl
 *   --user start` returns when `x` commands work and a daemon that never gets there fails
 *   after `TimeoutStartSec`.
 * - `Restart=on-failure`: a crash (non-zero exit, signal, failed start) brings it back; a
 *   `x daemon stop` (exit 0) does not.
 * - `KillMode=mixed`: SIGTERM goes to the daemon alone, which stops its runs in three phases
 *   and records how each ended; what is left after `TimeoutStopSec` gets SIGKILL.
 *
 * @throws CliError (exit 78) when a path or variable holds a newline or another control
 *   character (a unit file cannot carry it).
 */
export function renderSystemdUnit(spec: StartupSpec): string {
  const exec = (args: string[]) =>
    [spec.nodePath, spec.binPath, ...args].map(quoteExecArg).join(' ');
  const post = fleetUpArgs(spec);
  const lines = [
    '# Written by `x startup`; `x unstartup` removes it (x docs: Guide, Starting at boot).',
    '[Unit]',
    `Description=${escapeSpecifiers(`x supervisor daemon (state in ${checked(spec.home)})`)}`,
    '',
    '[Service]',
    'Type=notify',
    'NotifyAccess=all',
    `ExecStart=${exec(daemonArgs(spec))}`,
    // `-`: a fleet entry that fails to start does not fail the daemon's unit.
    ...(post === null ? [] : [`ExecStartPost=-${exec(post)}`]),
    // The user's home directory: runs get their own working directory from `agent.start`.
    'WorkingDirectory=~',
    ...Object.entries(spec.environment).map(
      ([name, value]) => `Environment=${quoteAssignment(`${name}=${value}`)}`,
    ),
    'Restart=on-failure',
    `RestartSec=${UNIT_RESTART_SEC}`,
    `TimeoutStartSec=${UNIT_START_TIMEOUT_SEC}`,
    `TimeoutStopSec=${spec.stopTimeoutSec}`,
    'KillMode=mixed',
    '',
    '[Install]',
    'WantedBy=default.target',
    '',
  ];
  return lines.join('\n');
}

/** Characters that need no quoting in a unit's command line or assignment. */
const PLAIN = /^[A-Za-z0-9_@%+=:,./-]+$/;

/**
 * One word of a unit's command line (systemd.service(5), "Command lines"; systemd.syntax(7),
 * "Quoting"): `%` becomes `%%` (specifiers) and `$` becomes `$$` (variable expansion);
 * anything but plain characters is double-quoted with `\\` and `\"` escaped.
 * @throws CliError for a control character (newline, tab…), which a unit file cannot carry.
 */
export function quoteExecArg(word: string): string {
  return quote(word).replaceAll('$', '$$$$');
}

/**
 * One `NAME=value` of `Environment=` (systemd.exec(5)): quoted as a command-line word, but
 * `$` is left alone: no variable expansion happens there, so `$$` would stay two dollars.
 * @throws CliError for a control character.
 */
export function quoteAssignment(assignment: string): string {
  return quote(assignment);
}

function quote(word: string): string {
  const escaped = escapeSpecifiers(checked(word));
  if (PLAIN.test(escaped)) {
    return escaped;
  }
  return `"${escaped.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
}

/** `%` → `%%`: specifier expansion applies to every setting written here. */
function escapeSpecifiers(text: string): string {
  return text.replaceAll('%', '%%');
}

function checked(word: string): string {
  // eslint-disable-next-line no-control-regex -- the control characters are what is refused
  const bad = /[\u0000-\u001f\u007f]/.exec(word);
  if (bad !== null) {
    throw new CliError(
      `x startup: ${JSON.stringify(word)} holds a control character (code ${bad[0].charCodeAt(0)}), which a unit file cannot carry; use a path or value without it`,
      EXIT_CODES.CONFIG,
    );
  }
  return word;
}
