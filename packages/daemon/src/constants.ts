/** How long a runner has to answer `init` with `ready`: 10 000 ms. */
export const HANDSHAKE_TIMEOUT_MS = 10_000;
/** Stop phase 1: after sending IPC `stop`, how long before SIGTERM goes to the process group: 2000 ms. */
export const STOP_IPC_PHASE_MS = 2_000;
/** Stop phase 2: after SIGTERM, how long before SIGKILL goes to the process group: 3000 ms. */
export const STOP_SIGTERM_PHASE_MS = 3_000;
/** Exit code of a permanent configuration error: 78 = EX_CONFIG, sysexits.h. */
export const EX_CONFIG = 78;
/**
 * Invalid frames (malformed, oversized, failing the schema) a runner may send within 60 s
 * before it is killed and classified `protocol_error`: 20. Fewer are logged and skipped.
 */
export const MAX_INVALID_FRAMES_PER_MINUTE = 20;
/** Bytes of a runner's stderr kept in memory for the exit report: 4096. */
export const STDERR_TAIL_BYTES = 4096;
/** Default size of one run log file before it rotates: 10 MiB. */
export const RUN_LOG_MAX_BYTES = 10 * 1024 * 1024;
/** Default number of files a run log keeps, the live one included: 3. */
export const RUN_LOG_MAX_FILES = 3;
/** Longest log line written; longer output is split: 16 KiB. */
export const LOG_LINE_MAX_BYTES = 16 * 1024;
/** Largest JSON-RPC line on the control socket, either way: 1 MiB (defined by @x/ipc). */
export { CONTROL_MAX_FRAME_BYTES } from '@x/ipc/node';
/**
 * At shutdown, how long a control connection has to read what was written to it (the last
 * events of a subscriber) before its socket is destroyed: 1000 ms.
 */
export const CONTROL_CLOSE_GRACE_MS = 1_000;
/** Most concurrent control-socket connections: 128. */
export const CONTROL_MAX_CONNECTIONS = 128;
/** Longest Unix socket path the platform accepts (sockaddr_un.sun_path, macOS 104, Linux 108). */
export const MAX_SOCKET_PATH_BYTES = 104;
/** Finished runs kept in `agent.list` unless `all` is asked: 20. */
export const RECENT_RUNS_LISTED = 20;
/** How often runners send `heartbeat` (set in `init`): 1000 ms. */
export const HEARTBEAT_INTERVAL_MS = 1000;
/** Heartbeat silence after which a runner (that has sent one) is `hung` and killed: 10 000 ms. */
export const LIVENESS_TIMEOUT_MS = 10_000;
/**
 * RSS of an idle `x runner --pipe` (Node 20, the kernel loaded), in MiB, rounded up: 48 (44 MiB
 * measured). A module run's V8 heap is capped at `maxMemoryMb` minus this, so that the heap
 * cap, not the RSS limit, stops a heap hog.
 */
export const RUNNER_RSS_BASELINE_MB = 48;
/**
 * Smallest memory limit accepted, in MiB: 64. Below it an empty runner (44 MiB RSS) would be
 * killed as soon as it started.
 */
export const MIN_MEMORY_LIMIT_MB = 64;
/** How often a run's RSS is sampled against its memory limit: 1000 ms. */
export const MEMORY_SAMPLE_MS = 1000;
/** Default retention of iterations of finished runs: 30 days (ms). */
export const RETAIN_ITERATIONS_MS = 30 * 24 * 3600 * 1000;
/** Default retention of finished runs (with their attempts and iterations): 90 days (ms). */
export const RETAIN_RUNS_MS = 90 * 24 * 3600 * 1000;
/** How often the event backlog is pruned by age: hourly (ms); history is pruned every minute (RETENTION_INTERVAL_MS). */
export const PRUNE_INTERVAL_MS = 3600 * 1000;
/** How long a service's readiness probe may take to pass: 60 000 ms. */
export const READINESS_TIMEOUT_MS = 60_000;
/**
 * The daemon database's SQLite page cache, in KiB: 2048 (`PRAGMA cache_size = -2048`). SQLite's
 * own default is 2000 KiB, but better-sqlite3 builds it with 16 000 KiB: as the attempts,
 * iterations and events tables grew, the cache filled with their pages and the daemon's RSS
 * rose by ~15 MiB over the first minutes of a restart storm (bench:storm, issue 12). The
 * daemon writes at the tables' ends and reads a few recent rows; older pages are read back
 * from the OS page cache.
 */
export const SQLITE_CACHE_KIB = 2048;
/** Events kept in the backlog behind `monitor.subscribe`: the newest 100 000 ids. */
export const EVENT_BACKLOG_MAX_ROWS = 100_000;
/** Age after which backlog events are pruned: 7 days (ms). */
export const EVENT_BACKLOG_MAX_AGE_MS = 7 * 24 * 3600 * 1000;
/**
 * Longest an event waits to be written to the backlog while events keep coming: 50 ms. A
 * quiet daemon writes an event at once (next turn of the event loop); a flood is written
 * in at most 20 transactions a second (plus one per EVENT_FLUSH_MAX_EVENTS).
 */
export const EVENT_FLUSH_INTERVAL_MS = 50;
/** Events written in one backlog transaction at most; reaching it writes at once: 500. */
export const EVENT_FLUSH_MAX_EVENTS = 500;
/**
 * Largest JSON of one monitor event: 512 KiB. A larger event (or one that cannot be
 * serialised) is stored and sent with its largest fields left out and `payloadError` set.
 */
export const EVENT_MAX_BYTES = 512 * 1024;
/**
 * Bytes of event JSON in one `monitor.backlog` answer at most: 768 KiB (under the 1 MiB
 * frame limit of the control socket; one event always fits, see EVENT_MAX_BYTES).
 */
export const BACKLOG_PAGE_MAX_BYTES = 768 * 1024;
/** Bytes of event JSON read per backlog page when a subscriber replays: 1 MiB. */
export const EVENT_REPLAY_PAGE_BYTES = 1024 * 1024;
/** Rows read per backlog page when a subscriber replays from `since`: 500. */
export const EVENT_REPLAY_PAGE_SIZE = 500;
/** Events a subscriber may have waiting before it is told it lagged and dropped: 1000. */
export const SUBSCRIBER_MAX_QUEUED_EVENTS = 1000;
/**
 * Bytes a subscriber may have waiting (its queue plus its socket's write buffer) before it
 * is told it lagged and dropped: 1 MiB.
 */
export const SUBSCRIBER_MAX_BUFFERED_BYTES = 1024 * 1024;
/** A subscriber's socket write buffer is filled up to this many bytes, then waits for a drain: 64 KiB. */
export const SUBSCRIBER_SOCKET_HIGH_WATER_BYTES = 64 * 1024;
/** After `monitor.lagged`, how long the peer has to read it before its socket is destroyed: 2000 ms. */
export const LAGGED_DESTROY_AFTER_MS = 2_000;
/**
 * Longest delay a Node timer takes: 2^31 − 1 ms (about 24.8 days). A longer `setTimeout`
 * fires after 1 ms (with a TimeoutOverflowWarning), so every duration the control API
 * accepts is at most this.
 */
export const MAX_TIMER_MS = 2_147_483_647;
