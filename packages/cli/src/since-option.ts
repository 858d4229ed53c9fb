import { InvalidArgumentError } from 'commander';
import ms from 'ms';

/**
 * Parses `--since <duration|timestamp>` into ms since the Unix epoch: a duration ago (`30s`,
 * `10m`, `2h`, `1d`, as the `ms` package reads them; a unit is required) or a timestamp
 * `Date.parse` reads (`2026-01-31T12:00:00Z`, `2026-01-31 12:00`, local time when no zone).
 * @throws InvalidArgumentError naming the value and both forms.
 */
export function parseSince(value: string, now: number = Date.now()): number {
  const text = value.trim();
  if (/^\d+(\.\d+)?$/.test(text)) {
    throw new InvalidArgumentError(
      `${JSON.stringify(value)} has no unit; give a duration such as 30s, 10m, 2h or 1d, or a timestamp such as 2026-01-31T12:00:00Z`,
    );
  }
  const duration = /^\d/.test(text) ? ms(text as ms.StringValue) : undefined;
  if (typeof duration === 'number' && Number.isFinite(duration) && duration >= 0) {
    return now - duration;
  }
  const at = Date.parse(text);
  if (Number.isFinite(at)) {
    return at;
  }
  throw new InvalidArgumentError(
    `${JSON.stringify(value)} is neither a duration (30s, 10m, 2h, 1d) nor a timestamp (2026-01-31T12:00:00Z)`,
  );
}
