// A dashboard of a running x daemon: each run with its CPU, memory and spend, then every
// state change as it happens, until no run is active.   node dashboard.mjs [state-dir]
import { connect } from '@x/client';

const client = await connect({ home: process.argv[2] }); // default: $X_HOME, ~/.local/state/x
const changes = client.events({ types: ['run_state'] });
await changes.ready(); // subscribed before listing: no change falls between the two
const ended = (state) => state === 'exited' || state === 'failed';
const active = new Set();
for (const run of (await client.agent.list()).runs) {
  const cpu = run.resources?.cpuPercent == null ? '-' : `${run.resources.cpuPercent.toFixed(0)}%`;
  const rss = run.resources?.rssBytes == null ? '-' : `${run.resources.rssBytes >> 20} MiB`;
  console.log(`${run.name} ${run.state} cpu ${cpu} rss ${rss} $${run.usage.costUsd.toFixed(2)}`);
  if (!ended(run.state)) active.add(run.runId);
}
for await (const { run } of active.size > 0 ? changes : []) {
  const why = ended(run.state) ? ` (${run.exit.reason}: ${run.exit.explanation})` : '';
  console.log(`${run.name} → ${run.state}${why}`);
  if (ended(run.state)) active.delete(run.runId);
  else active.add(run.runId);
  if (active.size === 0) break;
}
client.close();
