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
];
