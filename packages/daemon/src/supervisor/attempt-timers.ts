import type { Disposable } from '@x/ipc';

/**
 * The timers and watches of one attempt, all cleared at once when it exits. A timer callback
 * that throws or rejects is x's own fault: it goes to `onFault`, never into the event loop.
 */
export class AttemptTimers {
  readonly #onFault: (what: string, error: unknown) => void;
  readonly #timeouts = new Set<ReturnType<typeof setTimeout>>();
  readonly #intervals = new Set<ReturnType<typeof setInterval>>();
  readonly #watches = new Set<Disposable>();

  constructor(onFault: (what: string, error: unknown) => void) {
    this.#onFault = onFault;
  }

  /** Runs `fn` once after `ms`; a throw or rejection goes to `onFault('a timer', error)`. */
  after(ms: number, fn: () => void | Promise<void>): void {
    const timer = setTimeout(() => {
      this.#timeouts.delete(timer);
      try {
        void Promise.resolve(fn()).catch((error: unknown) => this.#onFault('a timer', error));
      } catch (error) {
        this.#onFault('a timer', error);
      }
    }, ms);
    this.#timeouts.add(timer);
  }

  /** Runs `fn` every `ms` until {@link clear}; `fn` must not throw (guard it). */
  every(ms: number, fn: () => void): void {
    this.#intervals.add(setInterval(fn, ms));
  }

  /** Disposes `watch` on {@link clear}. */
  hold(watch: Disposable): void {
    this.#watches.add(watch);
  }

  /** Cancels every pending timer and interval and disposes every watch. */
  clear(): void {
    for (const timer of this.#timeouts) {
      clearTimeout(timer);
    }
    for (const interval of this.#intervals) {
      clearInterval(interval);
    }
    for (const watch of this.#watches) {
      watch.dispose();
    }
    this.#timeouts.clear();
    this.#intervals.clear();
    this.#watches.clear();
  }
}
