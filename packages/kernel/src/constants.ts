/** Exit code for a configuration error that a restart cannot fix: 78 = EX_CONFIG, sysexits.h. */
export const EX_CONFIG = 78;
/** Exit code for a handshake/protocol failure: 76 = EX_PROTOCOL, sysexits.h. */
export const EX_PROTOCOL = 76;
/** Exit code when `x runner --pipe` is started without its IPC descriptor: 64 = EX_USAGE, sysexits.h. */
export const EX_USAGE = 64;
/** Exit code when the agent failed (setup threw, or a fatal error): 1. */
export const EX_AGENT_FAILED = 1;

/** How long `x runner --pipe` waits for `init` before exiting with EX_PROTOCOL: 10 000 ms. */
export const INIT_TIMEOUT_MS = 10_000;
/** File descriptor of the IPC channel between supervisor and runner. */
export const IPC_FD = 3;
/** Environment variable naming the codec on fd 3 (`jsonl` or `msgpack`). Default `jsonl`. */
export const IPC_CODEC_ENV = 'X_IPC_CODEC';
/** Time kept back from a stop's grace period for teardown and the `exit` frame: 250 ms. */
export const STOP_RESERVE_MS = 250;
/** When the supervisor goes away, how long teardown may take before the runner exits: 1000 ms. */
export const ORPHAN_EXIT_MS = 1000;
/** Most turns that may wait in an agent's queue before new ones are refused: 1000. */
export const MAX_QUEUED_TURNS = 1000;
/** Default pause between iterations of an in-process runner (as `x agent start`): 1000 ms. */
export const DEFAULT_INTERVAL_MS = 1000;
/** Default grace of an in-process runner's `stop()`: 10 000 ms. */
export const DEFAULT_STOP_GRACE_MS = 10_000;
/**
 * How long a `turn_result` the channel refused for backpressure (`X_IPC_BACKPRESSURE`: the
 * supervisor is not reading) is retried before the runner gives up on it: 30 000 ms.
 */
export const TURN_RESULT_RETRY_MS = 30_000;
/**
 * How long an `iteration_done` the channel refused for backpressure is retried before the
 * runner gives up on it (and says so on stderr): 30 000 ms. The agent loop waits meanwhile.
 */
export const ITERATION_DONE_RETRY_MS = 30_000;
/** How long the final `exit` frame is retried under backpressure: 5000 ms. */
export const EXIT_FRAME_RETRY_MS = 5000;
/**
 * Largest checkpoint state, as the UTF-8 bytes of its JSON text, when the supervisor's `init`
 * names no `checkpointMaxBytes` (and for `createRunner`): 1 048 576 (1 MiB).
 */
export const DEFAULT_CHECKPOINT_MAX_BYTES = 1_048_576;
/**
 * How long a `checkpoint` (and a `usage` report) that the channel refused for backpressure is
 * retried before `ctx.checkpoint` rejects (`X_CHECKPOINT_REFUSED`): 30 000 ms.
 */
export const CHECKPOINT_SEND_RETRY_MS = 30_000;
