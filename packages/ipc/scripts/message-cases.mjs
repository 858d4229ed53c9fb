/**
 * Decoded values of `test-vectors/invalid-messages.json`: each must be refused by the
 * receiver of its direction, naming the field at `path` (a JSON pointer; `/` for the
 * value itself). Each breaks exactly one rule, so the first error is the only one.
 */

const S2R = 'supervisor_to_runner';
const R2S = 'runner_to_supervisor';

const init = {
  type: 'init',
  protocolVersion: 1,
  codec: 'jsonl',
  runId: 'r-0a1b2c3d',
  name: 'py',
  params: {},
  intervalMs: 1000,
};
const iterationDone = { type: 'iteration_done', iteration: 1, status: 'ok', durationMs: 1 };
const ready = { type: 'ready', protocolVersion: 1, codec: 'jsonl' };

/** `base` with `changes` applied; a change to `undefined` removes the field. */
function change(base, changes) {
  const out = { ...base, ...changes };
  for (const [key, value] of Object.entries(changes)) {
    if (value === undefined) {
      delete out[key];
    }
  }
  return out;
}

export const MESSAGE_CASES = [
  // the value itself
  { name: 'a number, not an object', direction: R2S, value: 42, path: '/' },
  { name: 'null', direction: S2R, value: null, path: '/' },
  { name: 'an array', direction: R2S, value: [{ type: 'heartbeat', at: 1 }], path: '/' },
  { name: 'a string', direction: S2R, value: 'init', path: '/' },
  // type
  { name: 'no type', direction: R2S, value: { at: 1 }, path: '/type' },
  { name: 'unknown type', direction: R2S, value: { type: 'hello' }, path: '/type' },
  { name: 'type is not a string', direction: S2R, value: { type: 1 }, path: '/type' },
  {
    name: 'type in the wrong case',
    direction: R2S,
    value: { type: 'Heartbeat', at: 1 },
    path: '/type',
  },
  { name: 'a runner message sent to a runner', direction: S2R, value: ready, path: '/type' },
  { name: 'a supervisor message sent to a supervisor', direction: R2S, value: init, path: '/type' },
  // init
  {
    name: 'init without runId',
    direction: S2R,
    value: change(init, { runId: undefined }),
    path: '/runId',
  },
  {
    name: 'init with protocolVersion 0',
    direction: S2R,
    value: change(init, { protocolVersion: 0 }),
    path: '/protocolVersion',
  },
  {
    name: 'init with protocolVersion as a string',
    direction: S2R,
    value: change(init, { protocolVersion: '1' }),
    path: '/protocolVersion',
  },
  {
    name: 'init with an unknown codec',
    direction: S2R,
    value: change(init, { codec: 'json' }),
    path: '/codec',
  },
  {
    name: 'init with an empty runId',
    direction: S2R,
    value: change(init, { runId: '' }),
    path: '/runId',
  },
  {
    name: 'init with a runId of 129 characters',
    direction: S2R,
    value: change(init, { runId: 'r'.repeat(129) }),
    path: '/runId',
  },
  {
    name: 'init with an empty name',
    direction: S2R,
    value: change(init, { name: '' }),
    path: '/name',
  },
  {
    name: 'init with an empty module',
    direction: S2R,
    value: change(init, { module: '' }),
    path: '/module',
  },
  {
    name: 'init with params as an array',
    direction: S2R,
    value: change(init, { params: [] }),
    path: '/params',
  },
  {
    name: 'init with params null',
    direction: S2R,
    value: change(init, { params: null }),
    path: '/params',
  },
  {
    name: 'init without params',
    direction: S2R,
    value: change(init, { params: undefined }),
    path: '/params',
  },
  {
    name: 'init with a negative intervalMs',
    direction: S2R,
    value: change(init, { intervalMs: -1 }),
    path: '/intervalMs',
  },
  {
    name: 'init with a fractional intervalMs',
    direction: S2R,
    value: change(init, { intervalMs: 1.5 }),
    path: '/intervalMs',
  },
  {
    name: 'init with maxIterations 0',
    direction: S2R,
    value: change(init, { maxIterations: 0 }),
    path: '/maxIterations',
  },
  {
    name: 'init with heartbeatIntervalMs 0',
    direction: S2R,
    value: change(init, { heartbeatIntervalMs: 0 }),
    path: '/heartbeatIntervalMs',
  },
  // stop, turns, permissions
  { name: 'stop without graceMs', direction: S2R, value: { type: 'stop' }, path: '/graceMs' },
  {
    name: 'stop with a reason that is not a string',
    direction: S2R,
    value: { type: 'stop', graceMs: 0, reason: 5 },
    path: '/reason',
  },
  {
    name: 'turn without turnId',
    direction: S2R,
    value: { type: 'turn', input: 'x' },
    path: '/turnId',
  },
  {
    name: 'turn with an empty turnId',
    direction: S2R,
    value: { type: 'turn', turnId: '', input: 'x' },
    path: '/turnId',
  },
  {
    name: 'turn_cancel without turnId',
    direction: S2R,
    value: { type: 'turn_cancel' },
    path: '/turnId',
  },
  {
    name: 'permission_response with an unknown decision',
    direction: S2R,
    value: { type: 'permission_response', requestId: 'p-1', decision: 'maybe' },
    path: '/decision',
  },
  // ready, heartbeat, iterations
  {
    name: 'ready without codec',
    direction: R2S,
    value: change(ready, { codec: undefined }),
    path: '/codec',
  },
  { name: 'ready with pid 0', direction: R2S, value: change(ready, { pid: 0 }), path: '/pid' },
  {
    name: 'ready with a capability that is not a boolean',
    direction: R2S,
    value: change(ready, { capabilities: { turns: 'yes' } }),
    path: '/capabilities/turns',
  },
  {
    name: 'heartbeat with a negative timestamp',
    direction: R2S,
    value: { type: 'heartbeat', at: -1 },
    path: '/at',
  },
  {
    name: 'heartbeat with a fractional timestamp',
    direction: R2S,
    value: { type: 'heartbeat', at: 1.5 },
    path: '/at',
  },
  {
    name: 'iteration_start with iteration 0',
    direction: R2S,
    value: { type: 'iteration_start', iteration: 0, startedAt: 1 },
    path: '/iteration',
  },
  {
    name: 'iteration_done with an unknown status',
    direction: R2S,
    value: change(iterationDone, { status: 'fine' }),
    path: '/status',
  },
  {
    name: 'iteration_done with a summary of 65 537 characters',
    direction: R2S,
    value: change(iterationDone, { summary: 's'.repeat(65537) }),
    path: '/summary',
  },
  {
    name: 'iteration_done with negative input tokens',
    direction: R2S,
    value: change(iterationDone, { usage: { inputTokens: -1 } }),
    path: '/usage/inputTokens',
  },
  {
    name: 'iteration_done with a cost as a string',
    direction: R2S,
    value: change(iterationDone, { usage: { costUsd: '0.01' } }),
    path: '/usage/costUsd',
  },
  // log, notify, error, exit
  {
    name: 'log with an unknown level',
    direction: R2S,
    value: { type: 'log', level: 'trace', message: 'x' },
    path: '/level',
  },
  {
    name: 'log without message',
    direction: R2S,
    value: { type: 'log', level: 'info' },
    path: '/message',
  },
  {
    name: 'error without fatal',
    direction: R2S,
    value: { type: 'error', message: 'boom' },
    path: '/fatal',
  },
  {
    name: 'error with fatal as a string',
    direction: R2S,
    value: { type: 'error', message: 'boom', fatal: 'true' },
    path: '/fatal',
  },
  {
    name: 'exit with an unknown reason',
    direction: R2S,
    value: { type: 'exit', reason: 'crashed', iterations: 0 },
    path: '/reason',
  },
  {
    name: 'exit without iterations',
    direction: R2S,
    value: { type: 'exit', reason: 'done' },
    path: '/iterations',
  },
  // turn_result, permission_request
  {
    name: 'turn_result with an unknown status',
    direction: R2S,
    value: { type: 'turn_result', turnId: 't-1', status: 'done', durationMs: 1 },
    path: '/status',
  },
  {
    name: 'turn_result without durationMs',
    direction: R2S,
    value: { type: 'turn_result', turnId: 't-1', status: 'ok' },
    path: '/durationMs',
  },
  {
    name: 'permission_request with an empty tool',
    direction: R2S,
    value: { type: 'permission_request', requestId: 'p-1', tool: '' },
    path: '/tool',
  },
  {
    name: 'permission_request with a tool of 257 characters',
    direction: R2S,
    value: { type: 'permission_request', requestId: 'p-1', tool: 't'.repeat(257) },
    path: '/tool',
  },
  {
    name: 'permission_cancel without requestId',
    direction: R2S,
    value: { type: 'permission_cancel', reason: 'stopping' },
    path: '/requestId',
  },
  // setup_done, error details
  {
    name: 'setup_done without ok',
    direction: R2S,
    value: { type: 'setup_done' },
    path: '/ok',
  },
  {
    name: 'setup_done with ok as a string',
    direction: R2S,
    value: { type: 'setup_done', ok: 'false' },
    path: '/ok',
  },
  {
    name: 'setup_done with an error detail without name',
    direction: R2S,
    value: { type: 'setup_done', ok: false, error: { message: 'boom' } },
    path: '/error/name',
  },
  {
    name: 'setup_done with an error as a string',
    direction: R2S,
    value: { type: 'setup_done', ok: false, error: 'boom' },
    path: '/error',
  },
  {
    name: 'ready with a setup capability that is not a boolean',
    direction: R2S,
    value: change(ready, { capabilities: { setup: 1 } }),
    path: '/capabilities/setup',
  },
  {
    name: 'iteration_done with an error detail stack of 16 385 characters',
    direction: R2S,
    value: change(iterationDone, {
      status: 'error',
      errorDetail: { name: 'Error', message: 'boom', stack: 's'.repeat(16385) },
    }),
    path: '/errorDetail/stack',
  },
  {
    name: 'iteration_done with an error detail name of 257 characters',
    direction: R2S,
    value: change(iterationDone, {
      status: 'error',
      errorDetail: { name: 'E'.repeat(257), message: 'boom' },
    }),
    path: '/errorDetail/name',
  },
  {
    name: 'turn_result with an error detail whose config is a string',
    direction: R2S,
    value: {
      type: 'turn_result',
      turnId: 't-1',
      status: 'error',
      durationMs: 1,
      errorDetail: { name: 'Error', message: 'boom', config: 'yes' },
    },
    path: '/errorDetail/config',
  },
  // durable agents (issue 10): checkpoints, pause and resume, usage
  {
    name: 'init with a restored checkpoint of seq 0',
    direction: S2R,
    value: change(init, { restored: { seq: 0, state: {}, attempt: 1, savedAt: 0 } }),
    path: '/restored/seq',
  },
  {
    name: 'init with a restored checkpoint without state',
    direction: S2R,
    value: change(init, { restored: { seq: 1, attempt: 1, savedAt: 0 } }),
    path: '/restored/state',
  },
  {
    name: 'init with a restored checkpoint of attempt 0',
    direction: S2R,
    value: change(init, { restored: { seq: 1, state: {}, attempt: 0, savedAt: 0 } }),
    path: '/restored/attempt',
  },
  {
    name: 'init with a restored checkpoint saved at a fractional time',
    direction: S2R,
    value: change(init, { restored: { seq: 1, state: {}, attempt: 1, savedAt: 1.5 } }),
    path: '/restored/savedAt',
  },
  {
    name: 'init with checkpointMaxBytes 0',
    direction: S2R,
    value: change(init, { checkpointMaxBytes: 0 }),
    path: '/checkpointMaxBytes',
  },
  {
    name: 'checkpoint_ack without ok',
    direction: S2R,
    value: { type: 'checkpoint_ack', requestId: 'c-1' },
    path: '/ok',
  },
  {
    name: 'checkpoint_ack without requestId',
    direction: S2R,
    value: { type: 'checkpoint_ack', ok: true, seq: 1, savedAt: 1 },
    path: '/requestId',
  },
  {
    name: 'checkpoint_ack with seq 0',
    direction: S2R,
    value: { type: 'checkpoint_ack', requestId: 'c-1', ok: true, seq: 0, savedAt: 1 },
    path: '/seq',
  },
  {
    name: 'checkpoint_ack with an error of 4097 characters',
    direction: S2R,
    value: { type: 'checkpoint_ack', requestId: 'c-1', ok: false, error: 'e'.repeat(4097) },
    path: '/error',
  },
  { name: 'pause without reason', direction: S2R, value: { type: 'pause' }, path: '/reason' },
  {
    name: 'pause with a reason of 1025 characters',
    direction: S2R,
    value: { type: 'pause', reason: 'r'.repeat(1025) },
    path: '/reason',
  },
  {
    name: 'a pause sent to a supervisor',
    direction: R2S,
    value: { type: 'pause', reason: 'budget' },
    path: '/type',
  },
  {
    name: 'checkpoint without state',
    direction: R2S,
    value: { type: 'checkpoint', requestId: 'c-1', iteration: 1 },
    path: '/state',
  },
  {
    name: 'checkpoint with a requestId of 129 characters',
    direction: R2S,
    value: { type: 'checkpoint', requestId: 'c'.repeat(129), state: {} },
    path: '/requestId',
  },
  {
    name: 'checkpoint with iteration -1',
    direction: R2S,
    value: { type: 'checkpoint', requestId: 'c-1', state: {}, iteration: -1 },
    path: '/iteration',
  },
  {
    name: 'usage with fractional output tokens',
    direction: R2S,
    value: { type: 'usage', outputTokens: 1.5 },
    path: '/outputTokens',
  },
  {
    name: 'usage with a negative cost',
    direction: R2S,
    value: { type: 'usage', costUsd: -0.01 },
    path: '/costUsd',
  },
  {
    name: 'usage with ack 0',
    direction: R2S,
    value: { type: 'usage', inputTokens: 1, ack: 0 },
    path: '/ack',
  },
  { name: 'usage_ack without ack', direction: S2R, value: { type: 'usage_ack' }, path: '/ack' },
  {
    name: 'usage_ack with a negative headroom',
    direction: S2R,
    value: { type: 'usage_ack', ack: 1, headroom: { costUsd: -0.5 } },
    path: '/headroom/costUsd',
  },
  {
    name: 'budget_state without budgeted',
    direction: S2R,
    value: { type: 'budget_state' },
    path: '/budgeted',
  },
  {
    name: 'init with budgeted "yes"',
    direction: S2R,
    value: change(init, { budgeted: 'yes' }),
    path: '/budgeted',
  },
  {
    name: 'turn_result usage with an empty model',
    direction: R2S,
    value: {
      type: 'turn_result',
      turnId: 't-1',
      status: 'ok',
      durationMs: 1,
      usage: { inputTokens: 1, models: [{ model: '', inputTokens: 1 }] },
    },
    path: '/usage/models/0/model',
  },
  {
    name: 'usage with an empty model',
    direction: R2S,
    value: { type: 'usage', inputTokens: 1, model: '' },
    path: '/model',
  },
  {
    name: 'usage with a model of 257 characters',
    direction: R2S,
    value: { type: 'usage', model: 'm'.repeat(257) },
    path: '/model',
  },
  {
    name: 'ready with a pause capability that is not a boolean',
    direction: R2S,
    value: change(ready, { capabilities: { pause: 'yes' } }),
    path: '/capabilities/pause',
  },
  {
    name: 'ready with a checkpoints capability that is not a boolean',
    direction: R2S,
    value: change(ready, { capabilities: { checkpoints: 1 } }),
    path: '/capabilities/checkpoints',
  },
  {
    name: 'init with storeMaxBytes 0',
    direction: S2R,
    value: change(init, { storeMaxBytes: 0 }),
    path: '/storeMaxBytes',
  },
  {
    name: 'store without ops',
    direction: R2S,
    value: { type: 'store', requestId: 's-1' },
    path: '/ops',
  },
  {
    name: 'store with no operation',
    direction: R2S,
    value: { type: 'store', requestId: 's-1', ops: [] },
    path: '/ops',
  },
  {
    name: 'store with an operation of an unknown op',
    direction: R2S,
    value: { type: 'store', requestId: 's-1', ops: [{ op: 'merge', ns: 'n', key: 'k' }] },
    path: '/ops/0',
  },
  {
    name: 'store_result without ok',
    direction: S2R,
    value: { type: 'store_result', requestId: 's-1' },
    path: '/ok',
  },
  {
    name: 'a store sent to a runner',
    direction: S2R,
    value: { type: 'store', requestId: 's-1', ops: [{ op: 'get', ns: 'n', key: 'k' }] },
    path: '/type',
  },
];
