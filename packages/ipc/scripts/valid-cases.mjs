/**
 * Messages of `test-vectors/valid.json`: at least one per message type, then edge cases.
 * Each may list `equivalents`: other encodings of the same message that are not what our
 * encoder writes but that every decoder must accept (another int width, key order, …).
 */
import { cat, jsonlFrame, mp, msgpackFrame } from './hex-bytes.mjs';

const MAX_SAFE = Number.MAX_SAFE_INTEGER; // 2^53 − 1
const TIMESTAMP = 1795253448305; // above 2^32: our msgpack encoder writes it as a float 64

/** `{type:'stop',graceMs:2000}` with the given encodings of its parts. */
function stopFrame({ map = mp.fixmap(2), str = mp.fixstr, graceMs = mp.uint16(2000) } = {}) {
  return msgpackFrame(cat(map, str('type'), str('stop'), str('graceMs'), graceMs));
}

function heartbeatFrame(at) {
  return msgpackFrame(
    cat(mp.fixmap(2), mp.fixstr('type'), mp.fixstr('heartbeat'), mp.fixstr('at'), at),
  );
}

/** A payload nested `depth` objects deep, with a value of each JSON type at the bottom. */
function nested(depth) {
  let value = {
    string: 's',
    number: 1.5,
    integer: -7,
    boolean: false,
    null: null,
    array: [[]],
    object: {},
  };
  for (let level = depth; level > 0; level -= 1) {
    value = { level, child: value };
  }
  return value;
}

/** An object with `count` keys `k00`, `k01`, …, each mapped to its index. */
function keys(count) {
  return Object.fromEntries(
    Array.from({ length: count }, (_, i) => [`k${String(i).padStart(2, '0')}`, i]),
  );
}

export const VALID_CASES = [
  // --- supervisor → runner, one or more per type
  {
    name: 'init for a command runner (no module, empty params)',
    message: {
      type: 'init',
      protocolVersion: 1,
      codec: 'jsonl',
      runId: 'r-0a1b2c3d',
      name: 'py',
      params: {},
      intervalMs: 1000,
    },
  },
  {
    name: 'init with every field',
    message: {
      type: 'init',
      protocolVersion: 1,
      codec: 'msgpack',
      runId: 'r-bb9115dc',
      name: 'hello',
      module: '/srv/agents/hello.mjs',
      params: {
        who: 'wire',
        retries: 3,
        ratio: 0.25,
        verbose: true,
        tags: ['a', 'b'],
        nested: { deep: { deeper: null } },
      },
      intervalMs: 500,
      maxIterations: 10,
      heartbeatIntervalMs: 5000,
    },
  },
  {
    name: 'stop',
    message: { type: 'stop', graceMs: 2000 },
    equivalents: [
      {
        codec: 'jsonl',
        note: 'spaces, other key order',
        frame: jsonlFrame('{ "graceMs": 2000, "type": "stop" }'),
      },
      {
        codec: 'jsonl',
        note: '\\u escape, 2000.0 for an integer, CRLF line end',
        frame: jsonlFrame('{"type":"\\u0073top","graceMs":2000.0}\r'),
      },
      {
        codec: 'jsonl',
        note: 'leading blank line and tab',
        frame: jsonlFrame('\n\t{"type":"stop","graceMs":2e3}'),
      },
      {
        codec: 'msgpack',
        note: 'map 16, str 8, uint 32 instead of fixmap, fixstr, uint 16',
        frame: stopFrame({ map: mp.map16(2), str: mp.str8, graceMs: mp.uint32(2000) }),
      },
      {
        codec: 'msgpack',
        note: 'map 32, str 32, uint 64',
        frame: stopFrame({ map: mp.map32(2), str: mp.str32, graceMs: mp.uint64(2000) }),
      },
      {
        codec: 'msgpack',
        note: 'str 16, and 2000 as a float 64',
        frame: stopFrame({ str: mp.str16, graceMs: mp.float64(2000) }),
      },
      {
        codec: 'msgpack',
        note: '2000 as a float 32',
        frame: stopFrame({ graceMs: mp.float32(2000) }),
      },
      {
        codec: 'msgpack',
        note: 'other key order',
        frame: msgpackFrame(
          cat(
            mp.fixmap(2),
            mp.fixstr('graceMs'),
            mp.uint16(2000),
            mp.fixstr('type'),
            mp.fixstr('stop'),
          ),
        ),
      },
    ],
  },
  {
    name: 'stop with a reason and no grace',
    message: { type: 'stop', graceMs: 0, reason: 'stop requested' },
  },
  {
    name: 'turn with a string input',
    message: { type: 'turn', turnId: 't-1', input: 'summarise the last run' },
  },
  {
    name: 'turn with a structured input',
    message: {
      type: 'turn',
      turnId: 't-2',
      input: { prompt: 'list the files', files: ['a.txt', 'b.txt'], maxTokens: 1024 },
    },
  },
  { name: 'turn with a null input', message: { type: 'turn', turnId: 't-3', input: null } },
  { name: 'turn_cancel', message: { type: 'turn_cancel', turnId: 't-2' } },
  {
    name: 'turn_cancel with a reason',
    message: { type: 'turn_cancel', turnId: 't-2', reason: 'user pressed Ctrl-C' },
  },
  {
    name: 'permission_response granted',
    message: { type: 'permission_response', requestId: 'p-1', decision: 'granted' },
  },
  {
    name: 'permission_response denied with a reason',
    message: {
      type: 'permission_response',
      requestId: 'p-2',
      decision: 'denied',
      reason: 'timeout',
    },
  },

  // --- runner → supervisor, one or more per type
  { name: 'ready, minimal', message: { type: 'ready', protocolVersion: 1, codec: 'jsonl' } },
  {
    name: 'ready with pid and capabilities',
    message: {
      type: 'ready',
      protocolVersion: 1,
      codec: 'msgpack',
      pid: 20369,
      capabilities: { steps: true, turns: false },
    },
  },
  {
    name: 'heartbeat with a real timestamp (above 2^32)',
    message: { type: 'heartbeat', at: TIMESTAMP },
    equivalents: [
      {
        codec: 'msgpack',
        note: 'uint 64, as most msgpack libraries write it',
        frame: heartbeatFrame(mp.uint64(TIMESTAMP)),
      },
      { codec: 'msgpack', note: 'int 64', frame: heartbeatFrame(mp.int64(TIMESTAMP)) },
      {
        codec: 'jsonl',
        note: 'exponent notation',
        frame: jsonlFrame('{"type":"heartbeat","at":1.795253448305e12}'),
      },
    ],
  },
  {
    name: 'iteration_start',
    message: { type: 'iteration_start', iteration: 1, startedAt: TIMESTAMP },
  },
  {
    name: 'iteration_done ok, with summary and usage',
    message: {
      type: 'iteration_done',
      iteration: 1,
      status: 'ok',
      durationMs: 1,
      summary: 'greeted wire 1 time(s)',
      usage: { inputTokens: 1200, outputTokens: 345, costUsd: 0.0123 },
    },
  },
  {
    name: 'iteration_done error',
    message: {
      type: 'iteration_done',
      iteration: 2,
      status: 'error',
      durationMs: 30000,
      error: 'ETIMEDOUT: upstream did not answer in 30000 ms',
    },
  },
  { name: 'log debug', message: { type: 'log', level: 'debug', message: 'cache hit' } },
  {
    name: 'log info',
    message: { type: 'log', level: 'info', message: 'hello from hello (run r-bb9115dc)' },
  },
  { name: 'log warn', message: { type: 'log', level: 'warn', message: 'slow response: 2100 ms' } },
  { name: 'log error', message: { type: 'log', level: 'error', message: 'request failed' } },
  {
    name: 'notify with an object payload',
    message: { type: 'notify', payload: { iteration: 1, who: 'wire' } },
  },
  { name: 'notify without a payload', message: { type: 'notify' } },
  { name: 'notify with a null payload', message: { type: 'notify', payload: null } },
  {
    name: 'notify with an array payload of mixed types',
    message: { type: 'notify', payload: [1, 'two', true, null, { three: 3 }, []] },
  },
  { name: 'notify with a string payload', message: { type: 'notify', payload: 'done' } },
  {
    name: 'error, not fatal, with a code',
    message: {
      type: 'error',
      message: 'rate limited; retrying in 5 s',
      code: 'RATE_LIMITED',
      fatal: false,
    },
  },
  {
    name: 'error, fatal',
    message: { type: 'error', message: 'setup failed: no API key', fatal: true },
  },
  {
    name: 'exit stopped',
    message: { type: 'exit', reason: 'stopped', iterations: 3, summary: 'greeted wire 3 time(s)' },
  },
  { name: 'exit done', message: { type: 'exit', reason: 'done', iterations: 0 } },
  {
    name: 'exit max_iterations',
    message: { type: 'exit', reason: 'max_iterations', iterations: 10 },
  },
  {
    name: 'exit error',
    message: { type: 'exit', reason: 'error', iterations: 0, summary: 'setup failed: no API key' },
  },
  {
    name: 'turn_result ok',
    message: {
      type: 'turn_result',
      turnId: 't-1',
      status: 'ok',
      output: { text: 'three runs, all ok' },
      durationMs: 842,
      usage: { inputTokens: 10, outputTokens: 20 },
    },
  },
  {
    name: 'turn_result error',
    message: {
      type: 'turn_result',
      turnId: 't-4',
      status: 'error',
      error: 'model unavailable',
      durationMs: 12,
    },
  },
  {
    name: 'turn_result cancelled before it started',
    message: {
      type: 'turn_result',
      turnId: 't-2',
      status: 'cancelled',
      error: 'user pressed Ctrl-C',
      durationMs: 0,
    },
  },
  {
    name: 'permission_request',
    message: {
      type: 'permission_request',
      requestId: 'p-1',
      tool: 'shell',
      input: { command: 'rm -rf build' },
      rationale: 'clean the build output before rebuilding',
    },
  },
  {
    name: 'permission_request, minimal',
    message: { type: 'permission_request', requestId: 'p-2', tool: 'http.get' },
  },
  {
    name: 'permission_cancel',
    message: {
      type: 'permission_cancel',
      requestId: 'p-1',
      reason: 'the turn was cancelled',
    },
  },
  {
    name: 'permission_cancel, minimal',
    message: { type: 'permission_cancel', requestId: 'p-2' },
  },
  {
    name: 'ready announcing setup_done',
    message: {
      type: 'ready',
      protocolVersion: 1,
      codec: 'jsonl',
      pid: 20370,
      capabilities: { steps: true, turns: true, setup: true },
    },
  },
  { name: 'setup_done ok', message: { type: 'setup_done', ok: true } },
  {
    name: 'setup_done failed, with an error detail',
    message: {
      type: 'setup_done',
      ok: false,
      error: {
        name: 'Error',
        message: 'cannot reach the model endpoint',
        stack:
          'Error: cannot reach the model endpoint\n    at Object.setup (file:///srv/agents/chat.mjs:5:11)',
      },
    },
  },
  {
    name: 'setup_done failed with a configuration error',
    message: {
      type: 'setup_done',
      ok: false,
      error: {
        name: 'ConfigError',
        message: 'OPENAI_API_KEY is not set',
        code: 'X_AGENT_CONFIG',
        config: true,
      },
    },
  },
  {
    name: 'iteration_done error with an error detail',
    message: {
      type: 'iteration_done',
      iteration: 3,
      status: 'error',
      durationMs: 7,
      error: "TypeError: Cannot read properties of undefined (reading 'id')",
      errorDetail: {
        name: 'TypeError',
        message: "Cannot read properties of undefined (reading 'id')",
        stack:
          "TypeError: Cannot read properties of undefined (reading 'id')\n    at Object.step (file:///srv/agents/chat.mjs:9:20)",
      },
    },
  },
  {
    name: 'iteration_done error from a thrown non-Error',
    message: {
      type: 'iteration_done',
      iteration: 4,
      status: 'error',
      durationMs: 0,
      error: '{"code":"E1"}',
      errorDetail: { name: 'NonError', message: '{"code":"E1"}', code: 'E1' },
    },
  },
  {
    name: 'turn_result error with an error detail',
    message: {
      type: 'turn_result',
      turnId: 't-5',
      status: 'error',
      error: 'RangeError: limit must be at most 100',
      errorDetail: { name: 'RangeError', message: 'limit must be at most 100' },
      durationMs: 2,
    },
  },
  // --- durable agents (issue 10): checkpoints, pause and resume, usage
  {
    name: 'init of an attempt that resumes from a checkpoint',
    message: {
      type: 'init',
      protocolVersion: 1,
      codec: 'jsonl',
      runId: 'r-5e6f7a8b',
      name: 'crawler',
      module: '/srv/agents/crawler.mjs',
      params: {},
      intervalMs: 1000,
      heartbeatIntervalMs: 1000,
      restored: {
        seq: 7,
        state: { cursor: 'page-42', seen: ['a', 'b'] },
        attempt: 2,
        savedAt: TIMESTAMP,
      },
      checkpointMaxBytes: 1048576,
    },
  },
  {
    name: 'init restoring a null state',
    message: {
      type: 'init',
      protocolVersion: 1,
      codec: 'msgpack',
      runId: 'r-5e6f7a8c',
      name: 'crawler-2',
      params: {},
      intervalMs: 0,
      restored: { seq: 1, state: null, attempt: 1, savedAt: 0 },
    },
  },
  {
    name: 'ready announcing checkpoints, pause and retryTurns',
    message: {
      type: 'ready',
      protocolVersion: 1,
      codec: 'jsonl',
      pid: 20371,
      capabilities: {
        steps: true,
        turns: true,
        setup: true,
        checkpoints: true,
        pause: true,
        retryTurns: true,
      },
    },
  },
  {
    name: 'checkpoint taken in an iteration',
    message: {
      type: 'checkpoint',
      requestId: 'c-1',
      state: { cursor: 'page-42', seen: ['a', 'b'], ratio: 0.5 },
      iteration: 3,
    },
  },
  {
    name: 'checkpoint, minimal (a null state, no iteration)',
    message: { type: 'checkpoint', requestId: 'c-2', state: null },
  },
  {
    name: 'checkpoint of a string state in setup',
    message: { type: 'checkpoint', requestId: 'c-3', state: 'warm', iteration: 0 },
  },
  {
    name: 'checkpoint_ack ok',
    message: { type: 'checkpoint_ack', requestId: 'c-1', ok: true, seq: 7, savedAt: TIMESTAMP },
  },
  {
    name: 'checkpoint_ack refused',
    message: {
      type: 'checkpoint_ack',
      requestId: 'c-2',
      ok: false,
      error: 'could not store the checkpoint: SQLITE_FULL: database or disk is full',
    },
  },
  {
    name: 'pause',
    message: { type: 'pause', reason: 'budget reached: costUsd 5.02 of 5.00' },
  },
  { name: 'pause with an empty reason', message: { type: 'pause', reason: '' } },
  { name: 'resume', message: { type: 'resume' } },
  {
    name: 'usage with every field',
    message: {
      type: 'usage',
      inputTokens: 1200,
      outputTokens: 350,
      costUsd: 0.00415,
      model: 'gpt-4o-mini',
    },
  },
  { name: 'usage of tokens only', message: { type: 'usage', inputTokens: 0, outputTokens: 12 } },
  // --- the run's record store (issue 15): store, store_result, init.storeMaxBytes
  {
    name: 'init of a supervisor that keeps records',
    message: {
      type: 'init',
      protocolVersion: 1,
      codec: 'jsonl',
      runId: 'r-6f7a8b9c',
      name: 'graph',
      module: '/srv/agents/graph.mjs',
      params: {},
      intervalMs: 0,
      storeMaxBytes: 67108864,
    },
  },
  {
    name: 'store with a put, a first-wins put and a list in one transaction',
    message: {
      type: 'store',
      requestId: 's-1',
      ops: [
        { op: 'put', ns: 'langgraph', key: 'c/t-1//1ef4', value: { checkpoint: 'eyJ2Ijo0fQ==' } },
        { op: 'put', ns: 'langgraph', key: 'w/t-1//1ef4/task-a/0', value: null, ifAbsent: true },
        { op: 'list', ns: 'langgraph', prefix: 'c/t-1/', reverse: true, limit: 10 },
      ],
    },
  },
  {
    name: 'store with a get, a page of keys and deletes by key and by prefix',
    message: {
      type: 'store',
      requestId: 's-2',
      ops: [
        { op: 'get', ns: 'notes', key: 'today' },
        { op: 'list', ns: 'notes', after: 'a', before: 'z', keysOnly: true },
        { op: 'delete', ns: 'notes', key: 'today' },
        { op: 'delete', ns: 'notes', prefix: '' },
      ],
    },
  },
  {
    name: 'store_result ok, one result per operation',
    message: {
      type: 'store_result',
      requestId: 's-2',
      ok: true,
      results: [
        { op: 'get', found: true, value: ['a', 1] },
        { op: 'list', entries: [{ key: 'b', bytes: 7 }], more: false },
        { op: 'delete', deleted: 1 },
        { op: 'put', written: false },
      ],
      usedBytes: 1024,
    },
  },
  {
    name: 'store_result refused',
    message: {
      type: 'store_result',
      requestId: 's-3',
      ok: false,
      error: "not stored: the run's records would take 67108900 bytes, over storeMaxBytes 67108864",
    },
  },
  // --- budgets seen from the runner (issue 15): init.budgeted, budget_state, usage.ack,
  // usage_ack; a turn's usage by model
  {
    name: 'init of a budgeted run',
    message: {
      type: 'init',
      protocolVersion: 1,
      codec: 'jsonl',
      runId: 'r-7a8b9c0d',
      name: 'writer',
      module: '/srv/agents/writer.mjs',
      params: {},
      intervalMs: 0,
      budgeted: true,
    },
  },
  { name: 'budget_state: a budget now applies', message: { type: 'budget_state', budgeted: true } },
  { name: 'budget_state: no budget applies', message: { type: 'budget_state', budgeted: false } },
  {
    name: 'usage asking for an ack',
    message: { type: 'usage', inputTokens: 10, outputTokens: 2, model: 'gpt-4o-mini', ack: 3 },
  },
  { name: 'usage_ack', message: { type: 'usage_ack', ack: 3 } },
  {
    name: 'usage of a turn, reported at once',
    message: {
      type: 'usage',
      inputTokens: 10,
      costUsd: 0.001,
      model: 'gpt-4o-mini',
      ack: 5,
      turnId: 't-9',
    },
  },
  {
    name: 'turn_result whose usage was counted already',
    message: {
      type: 'turn_result',
      turnId: 't-9',
      status: 'ok',
      durationMs: 5,
      usage: {
        inputTokens: 10,
        costUsd: 0.001,
        counted: true,
        models: [{ model: 'gpt-4o-mini', inputTokens: 10, costUsd: 0.001 }],
      },
    },
  },
  {
    name: 'usage_ack with the headroom of a cost and a token limit',
    message: { type: 'usage_ack', ack: 4, headroom: { costUsd: 0.75, tokens: 120000 } },
  },
  {
    name: 'turn_result with usage by model, one model without a price',
    message: {
      type: 'turn_result',
      turnId: 't-9',
      status: 'ok',
      output: 'done',
      durationMs: 1200,
      usage: {
        inputTokens: 1500,
        outputTokens: 150,
        costUsd: 0.000225,
        models: [
          { model: 'gpt-4o-mini', inputTokens: 1000, outputTokens: 100, costUsd: 0.000225 },
          { model: 'in-house-llm-7b', inputTokens: 400, outputTokens: 40 },
          { inputTokens: 100, outputTokens: 10 },
        ],
      },
    },
  },
  {
    name: 'ready of a runner that asks for usage acks',
    message: {
      type: 'ready',
      protocolVersion: 1,
      codec: 'jsonl',
      capabilities: { steps: true, setup: true, pause: true, usageAcks: true },
    },
  },

  // --- edge cases
  {
    name: 'unicode: accents, CJK, 4-byte emoji, U+2028, U+200F, U+FEFF',
    message: {
      type: 'log',
      level: 'info',
      message: 'héllo wörld — 日本語 🦀🚀 \u2028 \u200f \ufeff',
    },
  },
  {
    name: 'unicode object keys',
    message: { type: 'notify', payload: { clé: 'välue', 键: '值', '🔑': '🦀' } },
  },
  {
    name: 'escapes: quote, backslash, newline, tab, control characters, DEL',
    message: {
      type: 'log',
      level: 'warn',
      message: 'a "quoted" \\ back\\slash\nnew line\ttab\r\u0000\u0001\u001f\u007f',
    },
  },
  { name: 'empty strings', message: { type: 'exit', reason: 'done', iterations: 0, summary: '' } },
  { name: 'empty log message', message: { type: 'log', level: 'info', message: '' } },
  { name: 'empty stop reason', message: { type: 'stop', graceMs: 2000, reason: '' } },
  { name: 'empty object key and value', message: { type: 'notify', payload: { '': '' } } },
  {
    name: 'largest safe integer (2^53 − 1) in integer fields',
    message: {
      type: 'iteration_done',
      iteration: MAX_SAFE,
      status: 'ok',
      durationMs: MAX_SAFE,
      usage: { inputTokens: MAX_SAFE, outputTokens: 0, costUsd: 0 },
    },
  },
  {
    name: 'largest safe integer as a timestamp',
    message: { type: 'heartbeat', at: MAX_SAFE },
    equivalents: [
      { codec: 'msgpack', note: 'uint 64', frame: heartbeatFrame(mp.uint64(MAX_SAFE)) },
    ],
  },
  {
    name: 'integers at every msgpack width boundary',
    message: {
      type: 'notify',
      payload: {
        unsigned: [0, 127, 128, 255, 256, 65535, 65536, 4294967295, 4294967296, MAX_SAFE],
        negative: [-1, -32, -33, -128, -129, -32768, -32769, -2147483648, -2147483649, -MAX_SAFE],
      },
    },
  },
  {
    name: 'floats: fractions, exponents, extremes',
    message: {
      type: 'notify',
      payload: [0.5, -1.25, 0.1, 1e-7, 1e21, 1.7976931348623157e308, 5e-324],
    },
  },
  { name: 'payload nested 16 objects deep', message: { type: 'notify', payload: nested(16) } },
  { name: 'map of 15 keys (largest fixmap)', message: { type: 'notify', payload: keys(15) } },
  { name: 'map of 16 keys (smallest map 16)', message: { type: 'notify', payload: keys(16) } },
  {
    name: 'arrays of 15 and 16 items (fixarray, array 16)',
    message: {
      type: 'notify',
      payload: {
        a15: Array.from({ length: 15 }, (_, i) => i),
        a16: Array.from({ length: 16 }, (_, i) => i),
      },
    },
  },
  {
    name: 'strings of 31 and 32 bytes (fixstr, str 8), 33 bytes in 11 characters',
    message: { type: 'notify', payload: ['a'.repeat(31), 'b'.repeat(32), '日'.repeat(11)] },
  },
  {
    name: 'strings of 255 and 256 bytes (str 8, str 16)',
    message: { type: 'notify', payload: ['x'.repeat(255), 'y'.repeat(256)] },
  },
];
