import { EX_CONFIG } from './constants.js';

const KERNEL_ERROR = Symbol.for('x.kernel.error');

/** Stable error codes of `@x/kernel`. */
export const KERNEL_ERROR_CODES = {
  /** The agent module could not be found or imported. */
  AGENT_NOT_FOUND: 'X_KERNEL_AGENT_NOT_FOUND',
  /** The agent module loaded but does not export an agent. */
  AGENT_INVALID: 'X_KERNEL_AGENT_INVALID',
  /** The agent module threw while it was imported. */
  AGENT_IMPORT_FAILED: 'X_KERNEL_AGENT_IMPORT_FAILED',
  /** The supervisor's handshake was missing, late or of another protocol version. */
  HANDSHAKE_FAILED: 'X_KERNEL_HANDSHAKE_FAILED',
} as const;

export type KernelErrorCode = (typeof KERNEL_ERROR_CODES)[keyof typeof KERNEL_ERROR_CODES];

/** Base class of `@x/kernel` errors; `exitCode` is what `x runner --pipe` exits with. */
export class KernelError extends Error {
  readonly [KERNEL_ERROR] = true;
  constructor(
    readonly code: KernelErrorCode,
    message: string,
    readonly exitCode: number,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
KernelError.prototype.name = 'KernelError';

/**
 * A permanent configuration error (bad module path, no agent export): restarting cannot
 * fix it. `x runner --pipe` exits with 78 (EX_CONFIG, sysexits.h) and sends no frame.
 */
export class AgentConfigError extends KernelError {
  constructor(code: KernelErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, EX_CONFIG, options);
  }
}
AgentConfigError.prototype.name = 'AgentConfigError';

/** True for any error created by `@x/kernel`. */
export function isKernelError(value: unknown): value is KernelError {
  return typeof value === 'object' && value !== null && KERNEL_ERROR in value;
}
