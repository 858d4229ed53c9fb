import { InvalidArgumentError, type Command } from 'commander';
// The light entry: this module loads with every command (program.ts).
import { parseMetricsAddress } from '@x/daemon/light';

/** `x daemon start|restart --metrics <[host:]port>`. */
export interface MetricsFlags {
  metrics?: string | undefined;
}

/**
 * Adds `--metrics <[host:]port>`: serve `/metrics`, `/healthz` and `/readyz` over HTTP (off by
 * default; host 127.0.0.1 unless one is named). A bad address is a usage error (exit 2).
 */
export function addMetricsOption(command: Command): Command {
  return command.option(
    '--metrics <[host:]port>',
    'serve Prometheus /metrics, /healthz and /readyz over HTTP, e.g. 127.0.0.1:9464 (default: off; host 127.0.0.1 unless named)',
    (value: string) => {
      try {
        parseMetricsAddress(value);
      } catch (error) {
        throw new InvalidArgumentError((error as Error).message.replace(/^x: --metrics /, ''));
      }
      return value;
    },
  );
}

/** The flag again, as arguments for the detached `x daemon start --foreground`. */
export function metricsArgs(flags: MetricsFlags): string[] {
  return flags.metrics === undefined ? [] : ['--metrics', flags.metrics];
}

/** The flag as `startDaemon` options. */
export function metricsOptions(flags: MetricsFlags): { metrics: string | undefined } {
  return { metrics: flags.metrics };
}
