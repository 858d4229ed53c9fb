import {
  PROTOCOL_VERSION,
  type ErrorDetail,
  type ReadyMessage,
  type RunnerMessage,
  type SetupDoneMessage,
} from '@x/ipc';
import type { ExitEvidence } from './classify-exit.js';

/**
 * The handshake of one attempt and what it established: the runner's `ready` (its first
 * message, in the daemon's protocol version), the capabilities it announced, and its setup
 * (`setup_done`, when it announced `capabilities.setup`). State only: the attempt acts on what
 * these methods return.
 */
export class AttemptHandshake {
  state: ExitEvidence['handshake'] = 'pending';
  /** Why the handshake failed, once it did. */
  error: string | undefined;
  /** What the runner said it can do, in `ready`. */
  capabilities: ReadyMessage['capabilities'];
  setup: 'pending' | 'done' | 'failed' = 'pending';
  /** What the runner reported of a failed setup. */
  setupError: ErrorDetail | undefined;

  get completed(): boolean {
    return this.state === 'completed';
  }

  /**
   * Checks a message received before the handshake completed.
   * @returns the `ready` that completes it; a string saying why the handshake fails (another
   *   message first, another protocol version); undefined once it failed (ignore the message).
   */
  check(message: RunnerMessage): ReadyMessage | string | undefined {
    if (this.state === 'failed') {
      return undefined;
    }
    if (message.type !== 'ready') {
      return `runner sent ${message.type} before ready`;
    }
    if (message.protocolVersion !== PROTOCOL_VERSION) {
      return `runner speaks protocol version ${message.protocolVersion}, the daemon speaks version ${PROTOCOL_VERSION}`;
    }
    return message;
  }

  complete(capabilities: ReadyMessage['capabilities']): void {
    this.state = 'completed';
    this.capabilities = capabilities;
  }

  fail(why: string): void {
    this.state = 'failed';
    this.error = why;
  }

  /** True when the runner announced `capability` in its `ready`. */
  can(capability: 'turns' | 'pause' | 'retryTurns' | 'setup' | 'usageAcks'): boolean {
    return this.capabilities?.[capability] === true;
  }

  /** True when the runner announced `setup_done` (`capabilities.setup`) and sent it not yet. */
  get awaitingSetup(): boolean {
    return this.can('setup') && this.setup === 'pending';
  }

  /**
   * Takes a `setup_done`.
   * @returns 'duplicate' (ignored: the setup was reported already), 'done', or 'failed' (then
   *   {@link setupError} says why).
   */
  setupDone(message: SetupDoneMessage): 'duplicate' | 'done' | 'failed' {
    if (this.setup !== 'pending') {
      return 'duplicate';
    }
    if (message.ok) {
      this.setup = 'done';
      return 'done';
    }
    this.setup = 'failed';
    this.setupError = message.error ?? { name: 'Error', message: 'setup failed (no detail)' };
    return 'failed';
  }
}
