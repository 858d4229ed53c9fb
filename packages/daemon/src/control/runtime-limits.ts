import { Type } from '@sinclair/typebox';
import { MAX_TIMER_MS, MIN_MEMORY_LIMIT_MB } from '../constants.js';
import { probeTargetProblem } from '../health/probe.js';
import type { ParamsRefusal } from './params-validator.js';

/** Strings the OS gets (paths, arguments, environment) end at a NUL byte there: refused. */
export const NO_NUL_PATTERN = '^[^\\x00]*$';
/** Longest `module` and `cwd`: 4096 characters, and 4095 bytes of UTF-8 (PATH_MAX with its NUL, Linux). */
export const PATH_MAX_LENGTH = 4096;
/**
 * Longest program or argument, and environment entry (`NAME=value`): 131 071 characters, and
 * 131 071 bytes of UTF-8 (MAX_ARG_STRLEN, 128 KiB with its NUL, Linux: a longer one is E2BIG).
 */
export const ARG_MAX_LENGTH = 131_071;
/** Most environment variables a run may add: 1000. */
export const ENV_MAX_ENTRIES = 1000;
/**
 * Highest `restart.intensity.maxRestarts`: 100, the restart times a run remembers
 * (RESTART_TIMES_KEPT, supervisor/restart-history.ts): a higher limit could never trip.
 */
export const MAX_RESTARTS = 100;
/** Highest `restart.backoff.multiplier`: 100 (a finite number; JSON's 1e400 is Infinity). */
export const MAX_BACKOFF_MULTIPLIER = 100;
/**
 * Lowest `maxMemoryMb`: MIN_MEMORY_LIMIT_MB (64 MiB), the limit the supervisor also applies. An
 * empty runner's RSS is about 44 MiB, so a lower limit would kill a runner as soon as it starts.
 */
export const MIN_MEMORY_MB = MIN_MEMORY_LIMIT_MB;
/** Highest `maxMemoryMb`: 1 TiB (1 048 576 MiB). */
export const MAX_MEMORY_MB = 1024 * 1024;

/** A duration in ms, at most what a timer takes (MAX_TIMER_MS: 2^31 − 1). */
export const Ms = (minimum: number, maximum: number = MAX_TIMER_MS) =>
  Type.Integer({ minimum, maximum, description: 'ms' });

/** A string the OS gets: no NUL byte; `what` says what it is (in refusals too). */
export const OsString = (what: string, maxLength: number, minLength = 1) =>
  Type.String({
    minLength,
    maxLength,
    pattern: NO_NUL_PATTERN,
    description: `${what} without NUL bytes`,
  });

/** The fields of `agent.start` params that {@link startParamsProblem} looks at. */
export interface StartFields {
  module?: string | undefined;
  command?: string[] | undefined;
  cwd?: string | undefined;
  env?: Record<string, string> | undefined;
  probes?: { readiness?: object | undefined; liveness?: object | undefined } | undefined;
}

/**
 * What `agent.start` params the schema let through still cannot do, as a `-32602` naming the
 * field: a path or argument too long in bytes of UTF-8 (the schema counts characters; the OS
 * counts bytes, and refuses with ENAMETOOLONG or E2BIG), or a probe URL that does not parse.
 */
export function startParamsProblem(params: StartFields): ParamsRefusal | undefined {
  for (const field of ['module', 'cwd'] as const) {
    const value = params[field];
    if (value !== undefined && Buffer.byteLength(value) >= PATH_MAX_LENGTH) {
      return {
        path: `/${field}`,
        message: `${field} is ${Buffer.byteLength(value)} bytes of UTF-8; a path can be at most ${PATH_MAX_LENGTH - 1} (PATH_MAX)`,
      };
    }
  }
  const command = params.command ?? [];
  for (let index = 0; index < command.length; index += 1) {
    const bytes = Buffer.byteLength(command[index]);
    if (bytes > ARG_MAX_LENGTH) {
      return {
        path: `/command/${index}`,
        message: `command[${index}] is ${bytes} bytes of UTF-8; a program or argument can be at most ${ARG_MAX_LENGTH} (MAX_ARG_STRLEN: the OS refuses a longer one with E2BIG)`,
      };
    }
  }
  for (const [name, value] of Object.entries(params.env ?? {})) {
    const bytes = Buffer.byteLength(name) + 1 + Buffer.byteLength(value);
    if (bytes > ARG_MAX_LENGTH) {
      return {
        path: `/env/${name}`,
        message: `env ${name.slice(0, 40)}=… is ${bytes} bytes of UTF-8; an environment entry can be at most ${ARG_MAX_LENGTH} (MAX_ARG_STRLEN: the OS refuses a longer one with E2BIG)`,
      };
    }
  }
  for (const which of ['readiness', 'liveness'] as const) {
    const probe = params.probes?.[which];
    const problem = probe === undefined ? undefined : probeTargetProblem(probe);
    if (problem !== undefined) {
      return { path: `/probes/${which}/${'http' in probe! ? 'http' : 'tcp'}`, message: problem };
    }
  }
  return undefined;
}
