import { describe, expect, it } from 'vitest';
import { runRecord } from '../../test/helpers.js';
import { runSpecOf } from './run-spec-of.js';

describe('runSpecOf', () => {
  it("takes the run's options first, then the daemon's settings, then the defaults", () => {
    const record = runRecord('r-1', 'one', 1);
    const spec = runSpecOf(
      { ...record, attempt: 2, options: { ...record.options, heartbeatIntervalMs: 250 } },
      { heartbeatIntervalMs: null, livenessTimeoutMs: 5000 },
    );
    expect(spec).toMatchObject({
      runId: 'r-1',
      attempt: 2,
      heartbeatIntervalMs: 250,
      livenessTimeoutMs: 5000,
      handshakeTimeoutMs: 10_000,
      memorySampleMs: 1000,
    });
  });

  it.each([
    ['thread', 'thread'],
    ['subprocess', 'subprocess'],
  ] as const)(
    'a row stored before runner modes (launcher %s) runs as %s; a heartbeat the daemon turned off stays off',
    (launcher, mode) => {
      const record = runRecord('r-1', 'one', 1);
      const { runnerMode: _mode, ...options } = record.options;
      const spec = runSpecOf({ ...record, launcher, options }, { heartbeatIntervalMs: null });
      expect(spec.runnerMode).toBe(mode);
      expect(spec.heartbeatIntervalMs).toBeNull();
    },
  );
});
