import { mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { CHECKPOINT_LOOP_AGENT, startAgent } from './agents.js';
import { readCpuMs } from './proc-stat.js';
import { commitUntil, openFloor, wrapWal } from './sqlite-floor.js';
import { summarize } from './stats.js';

/** From the go file until the first slot opens: time for every runner to see it, ms. */
const GO_LEAD_MS = 300;
/**
 * After each slot, before the next: checkpoints still queued in the daemon when an x slot
 * ends are stored in it, not in the floor's slot, ms.
 */
const GAP_MS = 100;

/** @param {number} until a Date.now() time */
const sleepUntil = (until) => sleep(Math.max(0, until - Date.now()));

/**
 * CPU time of a process, ms.
 * @param {number} pid
 */
function cpuOf(pid) {
  const ms = readCpuMs(pid);
  if (ms === null) {
    throw new Error(`bench-durable: process ${pid} is gone; cannot read its CPU time`);
  }
  return ms;
}

/**
 * Checkpoints per second with `runners` runners checkpointing back to back through one
 * daemon (fixtures/checkpoint-loop-agent.mjs, all started and ready first), against the floor:
 * this process committing the same states back to back to a SQLite file of its own. The two
 * take turns, `pairs` × (an x slot, then a floor slot) of `windowMs / pairs` each, 100 ms
 * apart, on one schedule (a go file the agents wait for): both see the same disk, which
 * other work on the machine slows and speeds. CPU time, per slot, from
 * /proc/<pid>/task/<tid>/schedstat: the daemon's in the x slots, this process's in the floor's.
 * Nothing polls the daemon meanwhile.
 * @param {import('./x-daemon.js').XDaemon} daemon
 * @param {import('./notices.js').Notices} notices
 * @param {{ runners: number, bytes: number, windowMs: number, pairs: number, prefix: string }} options
 */
export async function measureThroughput(daemon, notices, options) {
  const { runners, bytes, windowMs, pairs, prefix } = options;
  const slotMs = Math.round(windowMs / pairs);
  const dir = mkdtempSync('/tmp/x-bd-go-');
  const goFile = join(dir, 'go.json');
  const floor = openFloor();
  try {
    const names = Array.from({ length: runners }, (_, i) => `${prefix}-${i}`);
    await Promise.all(
      names.map((name) =>
        startAgent(daemon, {
          module: CHECKPOINT_LOOP_AGENT,
          name,
          params: { bytes, goFile },
          maxIterations: 1,
        }),
      ),
    );
    wrapWal(floor.commit);
    const startAt = Date.now() + GO_LEAD_MS;
    // Written whole, then renamed: a runner never reads half of it.
    writeFileSync(`${goFile}.tmp`, JSON.stringify({ startAt, slotMs, gapMs: GAP_MS, pairs }));
    renameSync(`${goFile}.tmp`, goFile);
    let daemonCpuMs = 0;
    let floorCpuMs = 0;
    let floorCount = 0;
    /** @type {number[]} */
    const floorTimes = [];
    for (let k = 0; k < pairs; k += 1) {
      const xOpens = startAt + k * 2 * (slotMs + GAP_MS);
      await sleepUntil(xOpens);
      const daemonBefore = cpuOf(daemon.pid);
      await sleepUntil(xOpens + slotMs);
      daemonCpuMs += cpuOf(daemon.pid) - daemonBefore;
      const floorOpens = xOpens + slotMs + GAP_MS;
      await sleepUntil(floorOpens);
      const floorBefore = cpuOf(process.pid);
      // Synchronous: this process does nothing else until the slot is over.
      floorCount += commitUntil(floor, bytes, floorOpens + slotMs, floorTimes);
      floorCpuMs += cpuOf(process.pid) - floorBefore;
    }
    const reports = (await Promise.all(names.map((name) => notices.take(name, 1)))).flat();
    const count = reports.reduce((sum, report) => sum + report.count, 0);
    const measuredMs = slotMs * pairs;
    return {
      x: {
        runners,
        count,
        perSecond: Math.round((count * 1000) / measuredMs),
        cpuMs: Math.round(daemonCpuMs),
        /** Share of one core the daemon used in the x slots, %. */
        cpuPercent: Math.round((daemonCpuMs / measuredMs) * 100),
        /** Round trips as the agents saw them, all runners together. */
        roundTrip: summarize(reports.flatMap((report) => report.ms)),
      },
      floor: {
        count: floorCount,
        perSecond: Math.round((floorCount * 1000) / measuredMs),
        cpuMs: Math.round(floorCpuMs),
        cpuPercent: Math.round((floorCpuMs / measuredMs) * 100),
        /** Each commit, timed in this process. */
        roundTrip: summarize(floorTimes),
      },
      measuredMs,
    };
  } finally {
    floor.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
