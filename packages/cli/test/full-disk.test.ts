import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { SystemInfo } from '@x/daemon';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mountSmallFs, type SmallFs } from '../../daemon/test/small-fs.js';
import { isAlive, tempHome, waitFor, x, xJson } from './helpers.js';

const FILLER = fileURLToPath(
  new URL('../../daemon/test/fixtures/disk-filler.mjs', import.meta.url),
);
/** How long the disk is held full under the detached daemon: 10 s. */
const FULL_FOR_MS = 10_000;

type Status = SystemInfo & { running: boolean; $code: number; $stderr: string };

describe('the detached daemon on a full disk (X_HOME on a 3 MiB tmpfs)', () => {
  let fs: SmallFs;
  let flags: ReturnType<typeof tempHome>;
  let pid: number | undefined;
  beforeEach(() => {
    fs = mountSmallFs(3);
    flags = tempHome();
  });
  afterEach(async () => {
    if (fs.ok) {
      rmSync(`${flags.path}/flood`, { force: true });
      rmSync(`${fs.path}/filler`, { force: true });
      await x(`${fs.path}/h`, ['daemon', 'stop'], {}, { timeoutMs: 20_000 });
      if (pid !== undefined && isAlive(pid)) {
        process.kill(pid, 'SIGKILL');
      }
      fs.unmount();
    }
    pid = undefined;
    flags.remove();
  });

  it('survives 10 s of full disk: its pid lives, `x daemon status` answers DEGRADED; daemon.log keeps whole lines and says when it recovered', async (ctx) => {
    if (!fs.ok) {
      console.warn(`skipped: ${fs.reason}`);
      ctx.skip();
      return;
    }
    const home = `${fs.path}/h`;
    const started = await xJson<{ pid: number; logPath: string }>(home, ['daemon', 'start']);
    expect(started.$code, started.$stderr).toBe(0);
    pid = started.pid;
    // Most of the disk goes to a file the test can delete; the agents fill the rest.
    fs.fill(`${fs.path}/filler`, fs.free() - 768 * 1024);
    const flag = `${flags.path}/flood`;
    writeFileSync(flag, '');
    for (const name of ['fill-a', 'fill-b']) {
      const run = await x(home, [
        'agent',
        'start',
        '--command',
        `${process.execPath} ${FILLER}`,
        '--name',
        name,
        '--env',
        `FLOOD_FLAG=${flag}`,
      ]);
      expect(run.code, run.stderr).toBe(0);
    }
    const status = () => xJson<Status>(home, ['daemon', 'status']);
    expect(await waitFor(async () => (await status()).persistence?.ok === false, 15_000)).toBe(
      true,
    );

    const fullSince = Date.now();
    while (Date.now() - fullSince < FULL_FOR_MS) {
      expect(isAlive(started.pid)).toBe(true);
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
    expect(fs.free()).toBeLessThan(64 * 1024);
    expect(isAlive(started.pid)).toBe(true);
    const shown = await x(home, ['daemon', 'status']);
    expect(shown.code, shown.stderr).toBe(0);
    expect(shown.stdout).toMatch(
      /persistence: +DEGRADED since \S+ \(for [^)]+\): .*(SQLITE_FULL|disk is full).*; \d+ write\(s\) waiting in memory \([\d.]+ (B|KiB|MiB) of at most 10000 writes, 16\.0 MiB\), \d+ lost/,
    );
    const degraded = await status();
    expect(degraded.persistence).toMatchObject({ ok: false, state: 'degraded' });
    expect(degraded.activeRuns).toBe(2);
    console.log(shown.stdout);
    // The last page of daemon.log filled too (with empty lines): the daemon's own next line
    // meets ENOSPC. A third run's log fails at once, which the daemon logs: dropped, counted.
    fs.fill(started.logPath, Infinity, '\n');
    const late = await x(home, [
      'agent',
      'start',
      '--command',
      `${process.execPath} ${FILLER}`,
      '--name',
      'late',
    ]);
    expect(late.code, late.stderr).toBe(0);
    expect(await waitFor(async () => ((await status()).log?.dropped ?? 0) > 0, 10_000)).toBe(true);
    expect(isAlive(started.pid)).toBe(true);
    const lost = await x(home, ['daemon', 'status']);
    expect(lost.code, lost.stderr).toBe(0);
    expect(lost.stdout).toMatch(
      /daemon log: +\d+ line\(s\) lost \(ENOSPC: no space left on device, write\)/,
    );
    const list = await xJson<{ runs: { name: string; state: string }[] }>(home, ['agent', 'list']);
    expect(
      list.runs
        .filter((run) => run.state === 'running')
        .map((run) => run.name)
        .sort(),
    ).toEqual(['fill-a', 'fill-b', 'late']);

    // Space again: the runs quiet down, the filler goes; the next write recovers.
    rmSync(flag);
    rmSync(`${fs.path}/filler`);
    expect(await waitFor(async () => (await status()).persistence?.ok === true, 15_000)).toBe(true);
    const recovered = await status();
    // What SQLite refused meanwhile waited in memory and is written now.
    expect(recovered.persistence.lastRecovery?.writtenLate).toBeGreaterThan(0);
    expect(recovered.persistence.deferredWrites).toBe(0);
    expect(isAlive(started.pid)).toBe(true);
    // The runs stop here: on 3 MiB, SQLite's WAL (checkpointed only at 1000 pages, 4 MiB)
    // takes the freed space back within seconds of quiet iterations (about 13 KiB of frames
    // per transaction), and the store would be full again before the log is read.
    for (const name of ['fill-a', 'fill-b', 'late']) {
      expect((await x(home, ['agent', 'stop', name])).code).toBe(0);
    }

    // The daemon log: whole lines only (a line cut by ENOSPC is ended before the next one),
    // a bounded number of them, and its last word on persistence true within 5 s (flaps that
    // were only counted are summed up once the state holds).
    const lastSaid = () =>
      readFileSync(started.logPath, 'utf8')
        .split('\n')
        .filter((line) => / persistence (degraded|recovered)/.test(line))
        .at(-1) ?? '';
    expect(
      await waitFor(
        () =>
          / info persistence (recovered after \d+ ms|degraded or recovered .*; ok now)/.test(
            lastSaid(),
          ),
        10_000,
      ),
      lastSaid(),
    ).toBe(true);
    const log = readFileSync(started.logPath, 'utf8');
    const lines = log.split('\n').filter((line) => line !== '');
    expect(log.endsWith('\n')).toBe(true);
    expect(lines.length).toBeLessThan(40);
    console.log(
      `detached daemon, ${FULL_FOR_MS} ms of full disk: ${degraded.persistence.failures} store failures, ${degraded.persistence.droppedWrites} writes lost; daemon.log: ${lines.length} lines in all, ${recovered.log?.dropped ?? '?'} dropped, ${recovered.log?.suppressed ?? '?'} repeats held back\n${log}`,
    );
  }, 90_000);
});
