import { describeProbe, runProbe, type ProbeResult, type ProbeSpec } from '../health/probe.js';
import type { ServiceProbes } from '../health/service-probes.js';

/** What a ServiceProber acts through: its attempt's state, timers and log. */
export interface ServiceProberHooks {
  /** The service is ready (`how`: for the log); liveness probing starts after. */
  ready(how: string): void;
  /** The readiness probe did not pass within `readinessTimeoutMs`: the start failed. */
  notReady(why: string): void;
  /** The liveness probe failed `failureThreshold` times in a row: end the service. */
  unhealthy(why: string): void;
  /** True once the attempt exited or a stop began: a pending result is dropped, no more checks. */
  ended(): boolean;
  /** Runs `fn` after `ms` on the attempt's timers (cleared at exit; a throw is x's fault). */
  after(ms: number, fn: () => void | Promise<void>): void;
  /** Writes a line to the run log. */
  log(line: string): void;
}

/** Runs one check; never rejects (runProbe). */
export type ProbeRunner = (probe: ProbeSpec, timeoutMs: number) => Promise<ProbeResult>;

/**
 * Health checks of one service attempt: readiness until it first passes (or its timeout),
 * then liveness every `intervalMs` until `failureThreshold` failures in a row.
 */
export class ServiceProber {
  readonly #probes: ServiceProbes;
  readonly #hooks: ServiceProberHooks;
  readonly #run: ProbeRunner;
  #readiness: 'pending' | 'passed' | 'failed' = 'pending';
  #unhealthy = false;

  constructor(probes: ServiceProbes, hooks: ServiceProberHooks, run: ProbeRunner = runProbe) {
    this.#probes = probes;
    this.#hooks = hooks;
    this.#run = run;
  }

  /** Starts checking: ready at once without a readiness probe, else when it first passes. Call once. */
  start(): void {
    const { readiness, readinessTimeoutMs } = this.#probes;
    if (readiness === null) {
      this.#onReady('running (no readiness probe)');
      return;
    }
    const deadline = Date.now() + readinessTimeoutMs;
    const check = async () => {
      const result = await this.#run(readiness, readiness.timeoutMs);
      if (this.#hooks.ended() || this.#readiness !== 'pending') {
        return;
      }
      if (result.ok) {
        this.#onReady(`ready: ${describeProbe(readiness)} passed`);
      } else if (Date.now() >= deadline) {
        this.#readiness = 'failed';
        this.#hooks.notReady(
          `readiness probe ${describeProbe(readiness)} did not pass within ${readinessTimeoutMs} ms (last: ${result.error})`,
        );
      } else {
        this.#hooks.after(readiness.intervalMs, check);
      }
    };
    this.#hooks.after(0, check);
  }

  #onReady(how: string): void {
    this.#readiness = 'passed';
    this.#hooks.ready(how);
    const { liveness } = this.#probes;
    if (liveness !== null) {
      this.#probeLiveness(liveness);
    }
  }

  /** Checks a running service; `failureThreshold` failures in a row make it unhealthy. */
  #probeLiveness(probe: ProbeSpec): void {
    let failures = 0;
    const check = async () => {
      const result = await this.#run(probe, probe.timeoutMs);
      if (this.#hooks.ended() || this.#unhealthy) {
        return;
      }
      if (result.ok) {
        failures = 0;
      } else {
        failures += 1;
        this.#hooks.log(
          `liveness probe ${describeProbe(probe)} failed (${failures}/${probe.failureThreshold}): ${result.error}`,
        );
        if (failures >= probe.failureThreshold) {
          this.#unhealthy = true;
          this.#hooks.unhealthy(
            `liveness probe ${describeProbe(probe)} failed ${failures} times in a row (last: ${result.error})`,
          );
          return;
        }
      }
      this.#hooks.after(probe.intervalMs, check);
    };
    this.#hooks.after(probe.intervalMs, check);
  }
}
