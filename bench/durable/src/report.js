import Table from 'cli-table3';
import { median } from './stats.js';

/** The round-trip goal of issue 10: at 1 KiB, p50, at most this many times the floor. */
export const ROUND_TRIP_GOAL = 2;

/** @param {number} value ms */
const ms = (value) =>
  value < 1
    ? `${value.toFixed(3)} ms`
    : value < 10
      ? `${value.toFixed(2)} ms`
      : value < 100
        ? `${value.toFixed(1)} ms`
        : `${Math.round(value)} ms`;
/** @param {number} value */
const times = (value) => `${value.toFixed(2)}×`;
/** @param {number} value */
const perSecond = (value) => `${Math.round(value)}/s`;
/** @param {number} value */
const micros = (value) => `${Math.round(value)} µs`;
/** @param {number} bytes */
const size = (bytes) => `${bytes / 1024} KiB`;

/**
 * @typedef {object} Row
 * @property {string} metric
 * @property {string} x x's figure: the median over the runs
 * @property {string} floor what x is compared with, measured in the same runs: the median
 * @property {string} ratio the median of the runs' ratios x / floor
 * @property {string} goal
 * @property {string} met
 * @property {string} runs the ratio in each run
 */

/**
 * @typedef {object} RowSpec
 * @property {string} metric
 * @property {(run: any) => number} x x's figure in one run
 * @property {(run: any) => number} floor the floor's (or baseline's) figure in the same run
 * @property {(value: number) => string} format
 * @property {number} [goal] x / floor must be at most this
 * @property {(run: any) => number} [xAlso] a second figure shown after x's (`a / b`)
 * @property {(run: any) => number} [floorAlso] the same for the floor
 * @property {(runs: any[]) => string} [xNote] appended to x's figure
 * @property {(runs: any[]) => string} [floorNote] appended to the floor's figure
 */

/**
 * One row from the runs: medians over the runs of each side's figure and of their ratio.
 * @param {any[]} runs
 * @param {RowSpec} spec
 * @returns {Row}
 */
function row(runs, spec) {
  const { format, goal } = spec;
  const figure = (
    /** @type {(run: any) => number} */ of,
    /** @type {((run: any) => number) | undefined} */ also,
    /** @type {((runs: any[]) => string) | undefined} */ note,
  ) =>
    [
      format(median(runs.map(of))),
      also === undefined ? '' : ` / ${format(median(runs.map(also)))}`,
      note === undefined ? '' : ` ${note(runs)}`,
    ].join('');
  const ratios = runs.map((run) => spec.x(run) / spec.floor(run));
  const ratio = median(ratios);
  const metIn = goal === undefined ? 0 : ratios.filter((value) => value <= goal).length;
  return {
    metric: spec.metric,
    x: figure(spec.x, spec.xAlso, spec.xNote),
    floor: figure(spec.floor, spec.floorAlso, spec.floorNote),
    ratio: times(ratio),
    goal: goal === undefined ? '' : `≤ ${goal}× floor`,
    met:
      goal === undefined ? '' : `${ratio <= goal ? 'yes' : 'NO'} (${metIn} of ${runs.length} runs)`,
    runs: ratios.map(times).join(' / '),
  };
}

/**
 * How many restarts of the runs took the spare runner, and (with checkpoints) resumed from one.
 * @param {any[]} runs
 * @param {'withCheckpoints' | 'without'} which
 */
function restartNote(runs, which) {
  const total = (/** @type {(run: any) => number} */ of) =>
    runs.reduce((sum, run) => sum + of(run), 0);
  const n = total((run) => run.restart[which].resumed.n);
  const spare = total((run) => run.restart[which].spareHits);
  const restored = total((run) => run.restart[which].restoredFrom);
  return which === 'without'
    ? `(spare ${spare}/${n})`
    : `(spare ${spare}/${n}, restored ${restored}/${n})`;
}

/**
 * The rows of the report. Each compares x with a floor or baseline measured in the same run
 * (the round trip's floor in the same process, round by round); every figure is the median over
 * the runs of a per-run figure (a p50 or p99 of the run's samples, or a rate).
 * @param {any[]} runs what each run measured (run.js)
 * @param {{ sizes: number[], runners: number }} settings
 * @returns {Row[]}
 */
export function buildRows(runs, { sizes, runners }) {
  /** @type {RowSpec[]} */
  const specs = [];
  for (const bytes of sizes) {
    for (const p of /** @type {const} */ (['p50', 'p99'])) {
      specs.push({
        metric: `checkpoint round trip, ${size(bytes)}, ${p}`,
        x: (run) => run.roundTrip[bytes].x[p],
        floor: (run) => run.roundTrip[bytes].floor[p],
        format: ms,
        ...(bytes === 1024 && p === 'p50' ? { goal: ROUND_TRIP_GOAL } : {}),
      });
    }
    specs.push({
      metric: `  CheckpointStore.save alone (no IPC), ${size(bytes)}, p50 / p99`,
      x: (run) => run.roundTrip[bytes].store.p50,
      xAlso: (run) => run.roundTrip[bytes].store.p99,
      floor: (run) => run.roundTrip[bytes].floor.p50,
      floorAlso: (run) => run.roundTrip[bytes].floor.p99,
      format: ms,
    });
  }
  for (const [key, label] of /** @type {const} */ ([
    ['one', '1 runner'],
    ['many', `${runners} runners`],
  ])) {
    specs.push(
      {
        metric: `checkpoints per second, ${label}, 1 KiB (floor: commits/s, one process)`,
        x: (run) => run.throughput[key].x.perSecond,
        floor: (run) => run.throughput[key].floor.perSecond,
        format: perSecond,
      },
      {
        metric: '  round trip meanwhile, p50 / p99 (floor: each commit in its turns)',
        x: (run) => run.throughput[key].x.roundTrip.p50,
        xAlso: (run) => run.throughput[key].x.roundTrip.p99,
        floor: (run) => run.throughput[key].floor.roundTrip.p50,
        floorAlso: (run) => run.throughput[key].floor.roundTrip.p99,
        format: ms,
      },
      {
        metric: '  CPU per checkpoint: the daemon (floor: its process)',
        x: (run) => (run.throughput[key].x.cpuMs * 1000) / run.throughput[key].x.count,
        floor: (run) => (run.throughput[key].floor.cpuMs * 1000) / run.throughput[key].floor.count,
        format: micros,
        xNote: (all) =>
          `(${median(all.map((run) => run.throughput[key].x.cpuPercent))} % of a core)`,
        floorNote: (all) => `(${median(all.map((run) => run.throughput[key].floor.cpuPercent))} %)`,
      },
    );
  }
  specs.push(
    {
      metric: 'kill -9 → resumed (restored attempt: 1st iteration stored), p50 (baseline: ready)',
      x: (run) => run.restart.withCheckpoints.resumed.p50,
      floor: (run) => run.restart.without.ready.p50,
      format: ms,
      xNote: (all) => restartNote(all, 'withCheckpoints'),
      floorNote: (all) => restartNote(all, 'without'),
    },
    {
      metric: 'kill -9 → resumed, max of the run (baseline: ready, max)',
      x: (run) => run.restart.withCheckpoints.resumed.max,
      floor: (run) => run.restart.without.ready.max,
      format: ms,
    },
    {
      metric: '  kill -9 → ready, p50 (baseline: without checkpoints)',
      x: (run) => run.restart.withCheckpoints.ready.p50,
      floor: (run) => run.restart.without.ready.p50,
      format: ms,
    },
    {
      metric: '  kill -9 → 1st iteration stored, p50 (baseline: without checkpoints)',
      x: (run) => run.restart.withCheckpoints.resumed.p50,
      floor: (run) => run.restart.without.resumed.p50,
      format: ms,
    },
    {
      metric: "  that iteration's checkpoint, p50 (baseline: x's 1 KiB round trip)",
      x: (run) => run.restart.withCheckpoints.firstCheckpoint.p50,
      floor: (run) => run.roundTrip[1024].x.p50,
      format: ms,
    },
  );
  return specs.map((spec) => row(runs, spec));
}

/** The rows as a text table. @param {Row[]} rows */
export function formatTable(rows) {
  const table = new Table({
    head: ['metric', 'x', 'floor', 'ratio (median)', 'goal', 'met', 'ratio in runs'],
    colAligns: ['left', 'right', 'right', 'right', 'left', 'left', 'left'],
    style: { head: [], border: [] },
  });
  for (const { metric, x, floor, ratio, goal, met, runs } of rows) {
    table.push([metric, x, floor, ratio, goal, met, runs]);
  }
  return table.toString();
}
