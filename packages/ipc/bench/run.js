// `pnpm bench`: the @x/ipc wire format against Node's built-in child_process IPC, over real
// pipes to echo children. Prints tables and writes bench-results/ipc.json.
// Flags: --rounds N, --warmup-ms N, --measure-ms N, --latency N, --only t1,t2,
// --sizes 100,1024, --no-codec, --no-latency, --cpu-prof DIR (profiles the echo children),
// --out FILE.
import { mkdirSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus } from 'node:os';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { measureCodecCost } from './codec-cost.js';
import { measureEcho, windowFor } from './echo-throughput.js';
import { PAYLOAD_SIZES, makePayload } from './payload.js';
import { TRANSPORTS, startPeer } from './peers.js';
import { checkGoals, formatReport } from './report.js';
import { measureLatency } from './round-trip-latency.js';
import { si, sizeLabel } from './table.js';

const { values: flags } = parseArgs({
  // pnpm 10 passes the `--` of `pnpm bench -- --rounds 5` through.
  args: process.argv.slice(2).filter((arg) => arg !== '--'),
  options: {
    rounds: { type: 'string', default: '3' },
    'warmup-ms': { type: 'string', default: '250' },
    'measure-ms': { type: 'string', default: '700' },
    latency: { type: 'string', default: '5000' },
    only: { type: 'string' },
    sizes: { type: 'string' },
    'no-codec': { type: 'boolean', default: false },
    'no-latency': { type: 'boolean', default: false },
    'cpu-prof': { type: 'string' },
    out: { type: 'string' },
  },
});
const rounds = Number(flags.rounds);
const timing = { warmupMs: Number(flags['warmup-ms']), measureMs: Number(flags['measure-ms']) };
const transports = flags.only ? flags.only.split(',') : TRANSPORTS;
const sizes = flags.sizes ? flags.sizes.split(',').map(Number) : PAYLOAD_SIZES;
const outFile = resolve(
  flags.out ?? fileURLToPath(new URL('../bench-results/ipc.json', import.meta.url)),
);
const execArgv = flags['cpu-prof']
  ? ['--cpu-prof', '--cpu-prof-dir', resolve(flags['cpu-prof'])]
  : [];
const started = performance.now();
const log = (text) => process.stderr.write(`${text}\n`);
const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

// One child per transport, all alive for the whole run; the rounds interleave the
// transports so that background load on the machine spreads over all of them.
const peers = await Promise.all(transports.map((name) => startPeer(name, { execArgv })));
const payloads = new Map(sizes.map((size) => [size, makePayload(size)]));

// A first pass, not recorded, so that every child and code path is compiled before round 1.
for (const size of sizes) {
  for (const peer of peers) {
    await measureEcho(peer, payloads.get(size), size, { warmupMs: 100, measureMs: 100 });
  }
}
const samples = new Map(); // `${transport} ${size}` -> results of measureEcho, one per round
for (let round = 1; round <= rounds; round += 1) {
  for (const size of sizes) {
    for (const peer of peers) {
      const result = await measureEcho(peer, payloads.get(size), size, timing);
      const key = `${peer.name} ${size}`;
      samples.set(key, [...(samples.get(key) ?? []), result]);
      const cpu = result.cpuUsPerMessage?.toFixed(1) ?? '?';
      log(
        `round ${round}/${rounds} ${sizeLabel(size).padStart(6)} ${peer.name.padEnd(13)} ${si(result.messagesPerSecond).padStart(7)} msg/s ${cpu.padStart(6)} µs CPU/msg`,
      );
    }
  }
}
const echo = sizes.flatMap((size) =>
  peers.flatMap((peer) => {
    const runs = samples.get(`${peer.name} ${size}`);
    if (runs === undefined) {
      return [];
    }
    const messagesPerSecond = median(runs.map((run) => run.messagesPerSecond));
    const cpu = runs.map((run) => run.cpuUsPerMessage);
    return [
      {
        transport: peer.name,
        payloadBytes: size,
        window: windowFor(size),
        messagesPerSecond,
        megabytesPerSecond: (messagesPerSecond * size) / 1e6,
        cpuUsPerMessage: cpu.includes(undefined) ? undefined : median(cpu),
        samples: runs,
      },
    ];
  }),
);

const latency = [];
if (!flags['no-latency']) {
  for (const peer of peers) {
    const result = await measureLatency(peer, makePayload(100), {
      warmup: 500,
      count: Number(flags.latency),
    });
    latency.push({ transport: peer.name, payloadBytes: 100, ...result });
    log(
      `latency ${peer.name.padEnd(13)} p50 ${result.p50.toFixed(1)} µs  p99 ${result.p99.toFixed(1)} µs`,
    );
  }
}
await Promise.all(peers.map((peer) => peer.close()));

const codecCost = [];
if (!flags['no-codec']) {
  for (const size of sizes) {
    codecCost.push({
      payloadBytes: size,
      ...measureCodecCost(payloads.get(size), { batchMs: 60 }),
    });
    log(`codec cost ${sizeLabel(size)} measured`);
  }
}

const goals = checkGoals(echo);
const seconds = (performance.now() - started) / 1000;
const machine = {
  cpu: cpus()[0]?.model,
  cores: availableParallelism(),
  node: process.version,
  platform: `${process.platform}-${process.arch}`,
};
process.stdout.write(
  `${formatReport({ transports, sizes, rounds, echo, latency, codecCost, goals })}\n\n` +
    `${machine.cores} × ${machine.cpu}, Node ${machine.node}; ${seconds.toFixed(1)} s; results: ${outFile}\n`,
);

mkdirSync(dirname(outFile), { recursive: true });
const results = {
  date: new Date().toISOString(),
  machine,
  settings: { rounds, ...timing, latencyRoundTrips: Number(flags.latency) },
  validated:
    'x-*: the parent validates each turn_result with validateRunnerMessage, the child each turn with validateSupervisorMessage; node-*: nothing is validated',
  echo,
  latency,
  codecCost,
  goals,
  seconds,
};
writeFileSync(outFile, `${JSON.stringify(results, null, 2)}\n`);
