import type { ProbeSpec } from './probe.js';

/** Health checks of a service. A service with no readiness probe is ready once spawned. */
export interface ServiceProbes {
  readiness: ProbeSpec | null;
  /** How long the readiness probe may take to pass before the start fails, ms. @default 60 000 */
  readinessTimeoutMs: number;
  liveness: ProbeSpec | null;
}
