/** `2026-01-31T12:00:00.000Z` at the start of a line: how RunLog and the daemon log begin each. */
const LEADING_ISO_TIME = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?Z)\s/;

/**
 * The lines logged at or after `sinceMs` (ms since the Unix epoch), in order. Each line's time
 * is the ISO time it starts with (run logs and the daemon log write one per line); a line
 * without one (the rest of a multi-line message, e.g. a stack) goes with the line before it.
 * Lines before the first timed line are of unknown time and left out.
 */
export function linesSince(lines: readonly string[], sinceMs: number): string[] {
  const out: string[] = [];
  let keep = false;
  for (const line of lines) {
    const match = LEADING_ISO_TIME.exec(line);
    if (match !== null) {
      keep = Date.parse(match[1]) >= sinceMs;
    }
    if (keep) {
      out.push(line);
    }
  }
  return out;
}
