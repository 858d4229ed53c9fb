// Summarises V8 .cpuprofile files (from `node --cpu-prof`): self time per function, top N.
// Usage: node bench/profile-summary.js [--top N] [--inclusive | --group] FILE...
// --group sums self time by where the code lives: @x/ipc, msgpackr, Node internals, the
// bench itself, native functions (syscalls, string conversions) and the garbage collector.
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { parseArgs } from 'node:util';

const { values, positionals } = parseArgs({
  options: {
    top: { type: 'string', default: '25' },
    inclusive: { type: 'boolean', default: false },
    group: { type: 'boolean', default: false },
  },
  allowPositionals: true,
});
for (const file of positionals) {
  const profile = JSON.parse(readFileSync(file, 'utf8'));
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parentOf = new Map();
  for (const node of profile.nodes) {
    for (const child of node.children ?? []) {
      parentOf.set(child, node.id);
    }
  }
  const label = (node) => {
    const { functionName, url, lineNumber } = node.callFrame;
    if (values.group) {
      return groupOf(functionName, url);
    }
    const where = url ? `${basename(url)}:${lineNumber + 1}` : '';
    return `${functionName || '(anonymous)'} ${where}`.trim();
  };
  // Self time, or with --inclusive the time each function is anywhere on the stack.
  const selfUs = new Map();
  const deltas = profile.timeDeltas;
  let total = 0;
  profile.samples.forEach((id, i) => {
    const dt = deltas[i] ?? 0;
    total += dt;
    const keys = new Set();
    for (let at = id; at !== undefined; at = values.inclusive ? parentOf.get(at) : undefined) {
      keys.add(label(byId.get(at)));
    }
    for (const key of keys) {
      selfUs.set(key, (selfUs.get(key) ?? 0) + dt);
    }
  });
  const idle = selfUs.get('(idle)') ?? 0;
  console.log(
    `\n${basename(file)}: ${(total / 1000).toFixed(0)} ms sampled, ${((100 * idle) / total).toFixed(1)}% idle`,
  );
  const busy = total - idle;
  [...selfUs]
    .filter(([key]) => key !== '(idle)')
    .sort((a, b) => b[1] - a[1])
    .slice(0, Number(values.top))
    .forEach(([key, us]) => {
      console.log(`${((100 * us) / busy).toFixed(1).padStart(5)}%  ${key}`);
    });
}

function groupOf(functionName, url) {
  if (url === '') {
    return functionName.startsWith('(') ? functionName : `native: ${functionName}`;
  }
  if (url.includes('/packages/ipc/bench/')) {
    return 'bench harness';
  }
  if (url.includes('/msgpackr/')) {
    return 'msgpackr (pack, unpack)';
  }
  if (url.includes('/packages/ipc/')) {
    // Builtins called from a function count as its self time: these two are JSON work.
    if (url.endsWith('jsonl-codec.js') && functionName === '#line') {
      return '@x/ipc JsonlDecoder#line (≈ JSON.parse)';
    }
    if (url.endsWith('jsonl-codec.js') && functionName === 'encode') {
      return '@x/ipc jsonl encode (≈ JSON.stringify)';
    }
    return '@x/ipc framing, channel, transport';
  }
  if (url.includes('/typebox/')) {
    return 'TypeBox validation';
  }
  return url.startsWith('node:') ? 'Node internals (streams, events)' : 'other JS';
}
