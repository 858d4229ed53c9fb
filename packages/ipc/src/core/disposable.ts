/** Something that holds a resource (a listener, a timer) until `dispose()` is called. */
export interface Disposable {
  /** Releases the resource. Calling it more than once is harmless. */
  dispose(): void;
}

/** Wraps a function in a {@link Disposable} that runs it at most once. */
export function toDisposable(fn: () => void): Disposable {
  let done = false;
  return {
    dispose() {
      if (!done) {
        done = true;
        fn();
      }
    },
  };
}
