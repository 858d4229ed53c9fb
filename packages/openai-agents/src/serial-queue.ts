/**
 * Runs tasks one at a time per `(owner, key)`: a task starts when the previous one for the
 * same pair settled (fulfilled or rejected). Different keys, or owners, run concurrently. An
 * idle pair holds nothing: its entry goes when its last task settles, and an owner that is
 * collected takes its entries with it (a WeakMap).
 */
export class SerialQueue {
  readonly #tails = new WeakMap<object, Map<string, Promise<void>>>();

  /** Runs `task` after the earlier tasks of `(owner, key)`; settles as it does. */
  run<T>(owner: object, key: string, task: () => Promise<T>): Promise<T> {
    let tails = this.#tails.get(owner);
    if (tails === undefined) {
      tails = new Map();
      this.#tails.set(owner, tails);
    }
    const byKey = tails;
    const result = (byKey.get(key) ?? Promise.resolve()).then(task);
    const tail = result.then(
      () => undefined,
      () => undefined,
    );
    byKey.set(key, tail);
    void tail.then(() => {
      if (byKey.get(key) === tail) {
        byKey.delete(key);
      }
    });
    return result;
  }
}
