import type { Logger } from '../process/logger.js';

/** Health of the persistence layer, shown by `x daemon status` and `x agent status`. */
export interface PersistenceHealth {
  ok: boolean;
  /** Failed writes since the daemon started. */
  failures: number;
  lastError: string | null;
  /** ms since the Unix epoch. */
  lastErrorAt: number | null;
}

/**
 * Runs store operations so that a failure (full disk, locked or corrupt file) is logged
 * and surfaced in status but never takes the daemon down: supervision goes on in memory.
 */
export class PersistenceGuard {
  #health: PersistenceHealth = { ok: true, failures: 0, lastError: null, lastErrorAt: null };

  constructor(private readonly logger: Logger) {}

  get health(): PersistenceHealth {
    return { ...this.#health };
  }

  /** Runs `fn`; on error records it and returns `fallback`. */
  run<T>(what: string, fn: () => T, fallback: T): T {
    try {
      const value = fn();
      if (!this.#health.ok) {
        this.#health = { ...this.#health, ok: true };
        this.logger.info(`persistence recovered (${what})`);
      }
      return value;
    } catch (error) {
      const message = `${what}: ${(error as Error).message}`;
      this.#health = {
        ok: false,
        failures: this.#health.failures + 1,
        lastError: message,
        lastErrorAt: Date.now(),
      };
      this.logger.error(`persistence failed: ${message}; continuing in memory`);
      return fallback;
    }
  }
}
