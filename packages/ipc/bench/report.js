import { formatTable, ratio, si, sizeLabel } from './table.js';

/** The goals of the benchmark issue: x against Node's built-in IPC, by echo throughput. */
export const GOALS = [
  { goal: '100 B x-jsonl vs node-json', x: 'x-jsonl', node: 'node-json', size: 100, target: 5 },
  { goal: '100 B x-msgpack vs node-json', x: 'x-msgpack', node: 'node-json', size: 100, target: 5 },
  {
    goal: '64 KiB x-msgpack vs node-advanced',
    x: 'x-msgpack',
    node: 'node-advanced',
    size: 64 * 1024,
    target: 1.5,
  },
];

/** Goals with the ratio reached, for the goals whose transports were measured. */
export function checkGoals(echo) {
  const find = (transport, size) =>
    echo.find((row) => row.transport === transport && row.payloadBytes === size);
  return GOALS.flatMap(({ goal, x, node, size, target }) => {
    const a = find(x, size);
    const b = find(node, size);
    if (!a || !b) {
      return [];
    }
    const reached = a.messagesPerSecond / b.messagesPerSecond;
    return [{ goal, target, reached, met: reached >= target }];
  });
}

/** The printed report: throughput, CPU, latency, codec cost and goal tables. */
export function formatReport({ transports, sizes, rounds, echo, latency, codecCost, goals }) {
  const find = (transport, size) =>
    echo.find((row) => row.transport === transport && row.payloadBytes === size);
  const pairs = [
    ['x-jsonl', 'node-json', 'jsonl/node-json'],
    ['x-msgpack', 'node-json', 'msgpack/node-json'],
    ['x-jsonl', 'node-advanced', 'jsonl/node-adv'],
    ['x-msgpack', 'node-advanced', 'msgpack/node-adv'],
  ].filter(([a, b]) => transports.includes(a) && transports.includes(b));
  const out = [];
  // Empty with --rounds 0 (latency and codec cost only).
  if (echo.length > 0) {
    out.push(
      `\necho throughput over a pipe to a child process (median of ${rounds} rounds; MB/s = payload bytes, one way)`,
    );
    out.push(
      formatTable(
        ['payload', ...transports, ...pairs.map(([, , label]) => label)],
        sizes.map((size) => [
          sizeLabel(size),
          ...transports.map((t) => {
            const row = find(t, size);
            return row
              ? `${si(row.messagesPerSecond)}/s ${row.megabytesPerSecond.toFixed(1)} MB/s`
              : '-';
          }),
          ...pairs.map(([a, b]) =>
            ratio(find(a, size).messagesPerSecond / find(b, size).messagesPerSecond),
          ),
        ]),
      ),
    );

    if (echo.every((row) => row.cpuUsPerMessage !== undefined)) {
      out.push(
        '\nCPU per echoed message, parent + child (µs; ratio = Node CPU / x CPU, higher is better for x)',
      );
      out.push(
        formatTable(
          ['payload', ...transports, ...pairs.map(([, , label]) => label)],
          sizes.map((size) => [
            sizeLabel(size),
            ...transports.map((t) => find(t, size).cpuUsPerMessage.toFixed(1)),
            ...pairs.map(([a, b]) =>
              ratio(find(b, size).cpuUsPerMessage / find(a, size).cpuUsPerMessage),
            ),
          ]),
        ),
      );
    }
  }

  if (latency.length > 0) {
    out.push('\nround-trip latency, 100 B, strict ping-pong (µs)');
    out.push(
      formatTable(
        ['', ...latency.map((row) => row.transport)],
        ['p50', 'p99', 'mean'].map((stat) => [stat, ...latency.map((row) => row[stat].toFixed(1))]),
      ),
    );
  }

  if (codecCost.length > 0) {
    const names = ['x-jsonl', 'x-msgpack', 'node-json', 'node-advanced'];
    out.push(
      '\nin-process cost per message (ns; decode includes framing; node-* = what Node IPC does per message)',
    );
    out.push(
      formatTable(
        ['payload', ...names.flatMap((n) => [`${n} enc`, `${n} dec`]), 'validate'],
        codecCost.map((row) => [
          sizeLabel(row.payloadBytes),
          ...names.flatMap((n) => [row[n].encodeNs.toFixed(0), row[n].decodeNs.toFixed(0)]),
          row.validateNs.toFixed(0),
        ]),
      ),
    );
  }

  if (goals.length > 0) {
    out.push('\ngoals (echo throughput ratio)');
    out.push(
      formatTable(
        ['goal', 'target', 'reached', ''],
        goals.map((g) => [g.goal, ratio(g.target), ratio(g.reached), g.met ? 'met' : 'NOT met']),
      ),
    );
  }
  return out.join('\n');
}
