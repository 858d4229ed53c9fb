/**
 * Runs `fn` after `delayMs`, and for 0 at the next turn of the event loop (`setImmediate`:
 * Node waits at least 1 ms for a `setTimeout(0)`, a millisecond of every zero-backoff
 * restart). Returns what cancels it.
 */
export function scheduleRestart(fn: () => void, delayMs: number): () => void {
  if (delayMs <= 0) {
    const immediate = setImmediate(fn);
    return () => clearImmediate(immediate);
  }
  const timer = setTimeout(fn, delayMs);
  return () => clearTimeout(timer);
}
