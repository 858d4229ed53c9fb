import { basename, extname } from 'node:path';
import { RpcError } from '@x/ipc';
import { HEARTBEAT_INTERVAL_MS, LIVENESS_TIMEOUT_MS } from '../constants.js';
import type { RunnerLauncher, RunnerMode } from '../launch/runner-launcher.js';
import { resolveRunnerMode } from '../launch/resolve-runner-mode.js';
import { checkLaunchable } from './launch-checks.js';
import type { StartRequest } from './run-request.js';

/** A run's name: 1–64 of A-Z a-z 0-9 . _ - */
const NAME_PATTERN = /^[A-Za-z0-9._-]{1,64}$/;

/** The daemon-wide settings a start request is judged against. */
export interface StartDefaults {
  launcher: RunnerLauncher;
  /** null: no heartbeats. @default HEARTBEAT_INTERVAL_MS */
  heartbeatIntervalMs?: number | null | undefined;
  /** @default LIVENESS_TIMEOUT_MS */
  livenessTimeoutMs?: number | undefined;
}

/** What a valid start request resolves to. */
export interface CheckedStart {
  kind: 'agent' | 'service';
  mode: RunnerMode;
  /** The name given, or the module's (command's) file name without its extension. */
  name: string;
}

/**
 * Checks an `agent.start` / `service.start` request beyond its schema: exactly one of module
 * and command, a service is a command, a runner mode the launcher has, something that can be
 * launched, a valid name, a liveness timeout longer than the heartbeat interval.
 * @throws RpcError -32602 naming the field and the fix.
 */
export function checkStartRequest(request: StartRequest, defaults: StartDefaults): CheckedStart {
  const { module, command } = request;
  if ((module === undefined) === (command === undefined || command.length === 0)) {
    throw new RpcError(
      -32602,
      'Invalid params: give exactly one of module (an agent module) and command (a program and its arguments)',
      {
        field: '/module',
      },
    );
  }
  const kind = request.kind ?? 'agent';
  if (kind === 'service' && command === undefined) {
    throw new RpcError(
      -32602,
      'Invalid params: a service is a command: give command (the program and its arguments)',
      { field: '/command' },
    );
  }
  const mode = resolveRunnerMode({
    requested: request.runnerMode,
    kind,
    command: command !== undefined,
    launcher: defaults.launcher,
  });
  if (!mode.ok) {
    throw new RpcError(-32602, mode.message, { field: mode.field });
  }
  checkLaunchable(request);
  const target = module ?? command![0];
  const name = request.name ?? basename(target, extname(target));
  if (!NAME_PATTERN.test(name)) {
    throw new RpcError(
      -32602,
      `Invalid params: name ${JSON.stringify(name)} must be 1-64 characters of A-Z a-z 0-9 . _ -`,
      {
        field: '/name',
      },
    );
  }
  const heartbeatMs =
    request.heartbeatIntervalMs ??
    (defaults.heartbeatIntervalMs === undefined
      ? HEARTBEAT_INTERVAL_MS
      : defaults.heartbeatIntervalMs);
  const livenessMs = request.livenessTimeoutMs ?? defaults.livenessTimeoutMs ?? LIVENESS_TIMEOUT_MS;
  if (
    (request.heartbeatIntervalMs !== undefined || request.livenessTimeoutMs !== undefined) &&
    heartbeatMs !== null &&
    livenessMs <= heartbeatMs
  ) {
    throw new RpcError(
      -32602,
      `Invalid params: livenessTimeoutMs (${livenessMs} ms) must be longer than heartbeatIntervalMs (${heartbeatMs} ms), or every runner would be hung; a few intervals is usual (10 000 for 1000)`,
      {
        field:
          request.livenessTimeoutMs === undefined ? '/heartbeatIntervalMs' : '/livenessTimeoutMs',
      },
    );
  }
  return { kind, mode: mode.mode, name };
}
