/** Where `--metrics` serves: a host and a TCP port. */
export interface MetricsAddress {
  host: string;
  /** 0: any free port (the server reports the one it got). */
  port: number;
}

/** `x daemon start --metrics` without a host: loopback only. */
export const DEFAULT_METRICS_HOST = '127.0.0.1';

/**
 * Parses `--metrics <[host:]port>`: `127.0.0.1:9464`, `[::1]:9464`, `0.0.0.0:9464` (every
 * interface: the operator's explicit choice), or `9464` / `:9464` (127.0.0.1).
 * @throws RangeError naming the value and the form, for a port outside 0–65535, an empty or
 *   malformed host, or an IPv6 host without brackets.
 */
export function parseMetricsAddress(value: string): MetricsAddress {
  const text = value.trim();
  const form =
    'give [host:]port, e.g. 127.0.0.1:9464 (the default host), [::1]:9464, or 0.0.0.0:9464 to listen on every interface';
  const match = /^(?:(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]*):)?(\d{1,5})$/.exec(text);
  if (match === null) {
    throw new RangeError(`x: --metrics ${JSON.stringify(value)} is not an address: ${form}`);
  }
  const port = Number(match[2]);
  if (port > 65535) {
    throw new RangeError(
      `x: --metrics ${JSON.stringify(value)}: port ${port} is over 65535; ${form}`,
    );
  }
  const rawHost = match[1] ?? '';
  const host = rawHost === '' ? DEFAULT_METRICS_HOST : rawHost.replace(/^\[|\]$/g, '');
  return { host, port };
}
