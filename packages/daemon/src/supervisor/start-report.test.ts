import { afterEach, describe, expect, it, vi } from 'vitest';
import type { RunRecord } from '../persistence/records.js';
import { SETUP_REPORT_WAIT_MS, StartReport } from './start-report.js';

const record = (state: RunRecord['state']) => ({ runId: 'r-1', state }) as RunRecord;

describe('StartReport', () => {
  afterEach(() => vi.useRealTimers());

  it('reports at a ready without setup, and keeps the first report', async () => {
    const report = new StartReport();
    report.ready(false, () => record('running'));
    report.settle(record('exited'));
    await expect(report.settled).resolves.toEqual(record('running'));
  });

  it('while setup runs, reports at setup_done', async () => {
    vi.useFakeTimers();
    const report = new StartReport();
    report.ready(true, () => record('running'));
    report.settle(record('failed'));
    await expect(report.settled).resolves.toEqual(record('failed'));
    expect(vi.getTimerCount()).toBe(0);
  });

  it('while setup runs, reports the record as it stands after SETUP_REPORT_WAIT_MS', async () => {
    vi.useFakeTimers();
    const report = new StartReport();
    let state: RunRecord['state'] = 'starting';
    report.ready(true, () => record(state));
    state = 'running';
    vi.advanceTimersByTime(SETUP_REPORT_WAIT_MS - 1);
    let reported = false;
    void report.settled.then(() => (reported = true));
    await Promise.resolve();
    expect(reported).toBe(false);
    vi.advanceTimersByTime(1);
    await expect(report.settled).resolves.toEqual(record('running'));
  });
});
