import type { CodecName } from '@x/ipc';
import type { LaunchSpec } from './runner-launcher.js';

/**
 * What a spare runner was started for. A spare is a launcher's own runner (`x runner --pipe`)
 * started ahead with the daemon's environment plus `X_IPC_CODEC=codec`, in `cwd`; a spec can
 * take it only when a fresh spawn for that spec would be the same process.
 */
export interface SpareKey {
  codec: CodecName;
  cwd: string;
}

/** True when two keys name the same kind of spare. */
export function sameSpareKey(a: SpareKey, b: SpareKey): boolean {
  return a.codec === b.codec && a.cwd === b.cwd;
}

/**
 * The spare a spec could take, or why it can take none (pure).
 *
 * A spec can take a spare when it runs the launcher's own runner (no `command`) and adds no
 * environment of its own: every entry of `spec.env` must already have that value in `baseEnv`
 * (the environment a spare inherits, normally the daemon's `process.env`). A `maxMemoryMb`
 * run of a subprocess carries `NODE_OPTIONS=--max-old-space-size=…` in `spec.env`, so it never
 * takes one. `X_IPC_CODEC` is the launcher's to set and is compared through the codec.
 * @returns the key, or a reason string (for logs and tests)
 */
export function spareKeyOf(
  spec: Pick<LaunchSpec, 'codec' | 'cwd' | 'env' | 'command'>,
  baseEnv: Readonly<Record<string, string | undefined>>,
): SpareKey | { reason: string } {
  if (spec.command !== undefined) {
    return { reason: 'the run has its own command' };
  }
  for (const [name, value] of Object.entries(spec.env)) {
    if (baseEnv[name] !== value) {
      return { reason: `the run sets ${name}` };
    }
  }
  return { codec: spec.codec, cwd: spec.cwd };
}
