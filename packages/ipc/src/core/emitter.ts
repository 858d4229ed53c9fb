import { toDisposable, type Disposable } from './disposable.js';

/** A subscription function: call it with a listener, keep the disposer to unsubscribe. */
export type Event<T> = (listener: (value: T) => void) => Disposable;

/**
 * A minimal typed event emitter. Listener exceptions are caught and passed to
 * `onListenerError` (default: rethrown asynchronously) so one bad listener cannot stop
 * delivery to the others or throw into the code that fired the event.
 */
export class Emitter<T> {
  #listeners = new Set<(value: T) => void>();

  constructor(
    private readonly onListenerError: (error: unknown) => void = (error) => {
      queueMicrotask(() => {
        throw error;
      });
    },
  ) {}

  /** Subscribes a listener; returns its disposer. */
  readonly event: Event<T> = (listener) => {
    this.#listeners.add(listener);
    return toDisposable(() => this.#listeners.delete(listener));
  };

  /** Delivers `value` to every current listener, in subscription order. */
  fire(value: T): void {
    for (const listener of this.#listeners) {
      try {
        listener(value);
      } catch (error) {
        this.onListenerError(error);
      }
    }
  }

  /** Number of current listeners. */
  get size(): number {
    return this.#listeners.size;
  }

  /** Removes every listener. */
  clear(): void {
    this.#listeners.clear();
  }
}
