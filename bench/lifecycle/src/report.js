import Table from 'cli-table3';

const ms = (value) => (value < 100 ? `${value.toFixed(1)} ms` : `${Math.round(value)} ms`);
const mib = (bytes) => `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
const kib = (bytes) => `${Math.round(bytes / 1024)} KiB`;
const times = (value) => `${value.toFixed(2)}×`;

/**
 * The rows of the report: each compares an x figure with pm2's or with the bare-node floor;
 * a row with a `goal` is one of the issue's targets.
 * @param {any} results what run.js measured
 */
export function buildRows(results) {
  const { floor, x, pm2 } = results;
  /** @type {{ metric: string, x: string, pm2: string, ratio: string, goal: string, met: boolean | null }[]} */
  const rows = [];
  const vsFloor = (metric, xValue, floorValue, goal = true) => {
    const ratio = xValue / floorValue;
    rows.push({
      metric,
      x: ms(xValue),
      pm2: '—',
      ratio: `${times(ratio)} floor (${ms(floorValue)})`,
      goal: goal ? '≤ 1.30× bare-node floor' : '—',
      met: goal ? ratio <= 1.3 : null,
    });
  };
  // x's default keeps one spare runner started ahead; "cold" is X_RUNNER_SPARES=0.
  const hits = (measured, summary) => `, spare used ${measured.spareHits}/${summary.n}`;
  const vsPm2 = (metric, xValue, pm2Value, format, goal = false, xNote = '') => {
    rows.push({
      metric,
      x: `${format(xValue)}${xNote}`,
      pm2: format(pm2Value),
      ratio: times(xValue / pm2Value),
      goal: goal ? 'x < pm2' : '—',
      met: goal ? xValue < pm2Value && xNote === '' : null,
    });
  };
  /** ` (3 failed)` after a start-50 figure some of whose starts failed (then not met). */
  const failedNote = (fleet) =>
    fleet.start50Failures.length === 0 ? '' : ` (${fleet.start50Failures.length} failed)`;

  vsFloor(
    `spawn → ready, p50 (spare${hits(x.spawn, x.spawn.spawnReady)})`,
    x.spawn.spawnReady.p50,
    floor.p50,
  );
  vsFloor('spawn → ready, p95 (spare)', x.spawn.spawnReady.p95, floor.p95);
  // Issue 12: the same goal without a spare.
  vsFloor('spawn → ready, p50 (cold, X_RUNNER_SPARES=0)', x.coldSpawn.spawnReady.p50, floor.p50);
  vsFloor('spawn → ready, p95 (cold)', x.coldSpawn.spawnReady.p95, floor.p95, false);
  vsPm2(
    'start round trip, p50 (x: agent.start → ready; pm2: start → online)',
    x.spawn.startRoundTrip.p50,
    pm2.spawnOnline.startRoundTrip.p50,
    ms,
  );
  vsPm2(
    'start round trip, p50 (pm2 with wait_ready)',
    x.spawn.startRoundTrip.p50,
    pm2.spawnReady.startRoundTrip.p50,
    ms,
  );
  vsPm2(
    'stop an idle process, p50 (x: IPC stop; pm2: SIGINT)',
    x.spawn.stopRoundTrip.p50,
    pm2.spawnOnline.stopRoundTrip.p50,
    ms,
  );
  vsPm2(
    `kill -9 → restarted, p50 (x: ready, spare${hits(x.kill, x.kill.polled)}; pm2: online)`,
    x.kill.polled.p50,
    pm2.killOnline.polled.p50,
    ms,
    true,
  );
  vsPm2('kill -9 → restarted, p95 (spare)', x.kill.polled.p95, pm2.killOnline.polled.p95, ms);
  // The same restarts without the polling's 10 ms steps: kill → each daemon's own timestamp
  // (x: the new attempt's readyAt; pm2: its bus's `online` event), both Date.now() in ms.
  vsPm2(
    'kill -9 → restarted, p50 as recorded (x: readyAt, spare; pm2: online event)',
    x.kill.recorded.p50,
    pm2.killOnline.recorded.p50,
    ms,
    true,
  );
  vsPm2(
    'kill -9 → restarted, p50 as recorded (x cold; pm2: online event)',
    x.coldKill.recorded.p50,
    pm2.killOnline.recorded.p50,
    ms,
    true,
  );
  // Issue 12: faster than pm2 with spares off too.
  vsPm2(
    'kill -9 → restarted, p50 (x cold, X_RUNNER_SPARES=0; pm2: online)',
    x.coldKill.polled.p50,
    pm2.killOnline.polled.p50,
    ms,
    true,
  );
  vsPm2(
    'kill -9 → restarted, p50 (pm2 with wait_ready)',
    x.kill.polled.p50,
    pm2.killReady.polled.p50,
    ms,
  );
  vsPm2(
    'start 50 until all ready (pm2: online)',
    x.fleet.start50Ms,
    pm2.fleet.start50Ms,
    ms,
    true,
    failedNote(x.fleet),
  );
  vsPm2(
    'start 50 until all ready (x cold, X_RUNNER_SPARES=0; pm2: online)',
    x.coldFleet.start50Ms,
    pm2.fleet.start50Ms,
    ms,
    true,
    failedNote(x.coldFleet),
  );
  vsPm2(
    'start 50 until all ready (pm2 with wait_ready)',
    x.fleet.start50Ms,
    pm2.fleet.start50WaitReadyMs,
    ms,
    false,
    failedNote(x.fleet),
  );
  for (const count of [0, 10, 50]) {
    vsPm2(
      `daemon RSS, ${count} idle runners`,
      x.fleet.rssBytes[count],
      pm2.fleet.rssBytes[count],
      mib,
    );
  }
  vsPm2(
    'daemon RSS per runner ((RSS@50 − RSS@0) / 50)',
    x.fleet.rssPerRunnerBytes,
    pm2.fleet.rssPerRunnerBytes,
    kib,
    true,
  );
  vsPm2(
    'RSS of one idle runner process (median of 50)',
    x.fleet.runnerRssMedianBytes,
    pm2.fleet.runnerRssMedianBytes,
    mib,
  );
  return rows;
}

/** The rows as a text table. @param {ReturnType<typeof buildRows>} rows */
export function formatTable(rows) {
  const table = new Table({
    head: ['metric', 'x', 'pm2', 'ratio', 'goal', 'met'],
    colAligns: ['left', 'right', 'right', 'right', 'left', 'left'],
    style: { head: [], border: [] },
  });
  for (const row of rows) {
    table.push([
      row.metric,
      row.x,
      row.pm2,
      row.ratio,
      row.goal,
      row.met === null ? '' : row.met ? 'met' : 'NOT MET',
    ]);
  }
  return table.toString();
}
