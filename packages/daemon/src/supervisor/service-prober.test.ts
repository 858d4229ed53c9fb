import { describe, expect, it } from 'vitest';
import type { ProbeResult, ProbeSpec } from '../health/probe.js';
import type { ServiceProbes } from '../health/service-probes.js';
import { ServiceProber } from './service-prober.js';

const probe: ProbeSpec = {
  tcp: '127.0.0.1:1',
  intervalMs: 100,
  timeoutMs: 50,
  failureThreshold: 3,
};

/**
 * A prober on fake timers and scripted probe results (`true`: pass, a string: fail with it);
 * `settle()` runs every scheduled check until none is left (or `maxChecks` ran).
 */
function harness(probes: ServiceProbes, results: (true | string)[]) {
  const events: string[] = [];
  const delays: number[] = [];
  const queue: (() => void | Promise<void>)[] = [];
  let ended = false;
  const prober = new ServiceProber(
    probes,
    {
      ready: (how) => events.push(`ready: ${how}`),
      notReady: (why) => events.push(`not ready: ${why}`),
      unhealthy: (why) => events.push(`unhealthy: ${why}`),
      ended: () => ended,
      after: (ms, fn) => {
        delays.push(ms);
        queue.push(fn);
      },
      log: (line) => events.push(`log: ${line}`),
    },
    async (): Promise<ProbeResult> => {
      const next = results.shift();
      if (next === undefined) {
        throw new Error('no scripted result left');
      }
      return next === true ? { ok: true } : { ok: false, error: next };
    },
  );
  return {
    events,
    delays,
    prober,
    end: () => (ended = true),
    async settle(maxChecks = 20) {
      for (let i = 0; i < maxChecks && queue.length > 0; i += 1) {
        await queue.shift()!();
      }
    },
  };
}

describe('ServiceProber', () => {
  it('is ready at once without a readiness probe, and probes nothing', async () => {
    const h = harness({ readiness: null, readinessTimeoutMs: 1000, liveness: null }, []);
    h.prober.start();
    await h.settle();
    expect(h.events).toEqual(['ready: running (no readiness probe)']);
    expect(h.delays).toEqual([]);
  });

  it('is ready when readiness first passes, checking every intervalMs until then', async () => {
    const h = harness({ readiness: probe, readinessTimeoutMs: 60_000, liveness: null }, [
      'refused',
      'refused',
      true,
    ]);
    h.prober.start();
    await h.settle();
    expect(h.events).toEqual(['ready: ready: TCP 127.0.0.1:1 passed']);
    expect(h.delays).toEqual([0, 100, 100]);
  });

  it('fails the start when readiness has not passed by readinessTimeoutMs (0 ms: the first failure)', async () => {
    const h = harness({ readiness: probe, readinessTimeoutMs: 0, liveness: null }, ['refused']);
    h.prober.start();
    await h.settle();
    expect(h.events).toEqual([
      'not ready: readiness probe TCP 127.0.0.1:1 did not pass within 0 ms (last: refused)',
    ]);
  });

  it('drops a readiness result that comes after the attempt ended', async () => {
    const h = harness({ readiness: probe, readinessTimeoutMs: 60_000, liveness: probe }, [true]);
    h.prober.start();
    h.end();
    await h.settle();
    expect(h.events).toEqual([]);
  });

  it('is unhealthy after failureThreshold liveness failures in a row, and stops probing', async () => {
    const h = harness({ readiness: null, readinessTimeoutMs: 0, liveness: probe }, [
      'e1',
      true,
      'e2',
      'e3',
      'e4',
    ]);
    h.prober.start();
    await h.settle();
    expect(h.events).toEqual([
      'ready: running (no readiness probe)',
      'log: liveness probe TCP 127.0.0.1:1 failed (1/3): e1',
      'log: liveness probe TCP 127.0.0.1:1 failed (1/3): e2',
      'log: liveness probe TCP 127.0.0.1:1 failed (2/3): e3',
      'log: liveness probe TCP 127.0.0.1:1 failed (3/3): e4',
      'unhealthy: liveness probe TCP 127.0.0.1:1 failed 3 times in a row (last: e4)',
    ]);
    expect(h.delays).toEqual([100, 100, 100, 100, 100]);
  });

  it('stops liveness probing once the attempt ended', async () => {
    const h = harness({ readiness: null, readinessTimeoutMs: 0, liveness: probe }, ['e1', 'e2']);
    h.prober.start();
    await h.settle(1);
    h.end();
    await h.settle();
    expect(h.events).toEqual([
      'ready: running (no readiness probe)',
      'log: liveness probe TCP 127.0.0.1:1 failed (1/3): e1',
    ]);
  });
});
