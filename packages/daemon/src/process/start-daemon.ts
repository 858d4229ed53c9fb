import { rmSync } from 'node:fs';
import { PROTOCOL_VERSION } from '@x/ipc';
import { ControlServer } from '../control/control-server.js';
import { registerControlMethods, type SystemInfo } from '../control/control-methods.js';
import { registerMonitorMethods } from '../control/monitor-methods.js';
import { EventHub } from '../monitor/event-hub.js';
import { EventStore } from '../persistence/event-store.js';
import { DAEMON_ERROR_CODES, DaemonError } from '../errors.js';
import type { RunnerLauncher } from '../launch/runner-launcher.js';
import type { RunLogOptions } from '../logs/run-log.js';
import { RunStore } from '../persistence/run-store.js';
import { RunnerSupervisor } from '../supervisor/runner-supervisor.js';
import { removeDescriptor, writeDescriptor, type DaemonDescriptor } from './descriptor.js';
import { createLogger, type Logger } from './logger.js';
import { acquireStartupLock, cleanStale, probeDaemon } from './single-instance.js';
import { ensureStateDir, statePaths, type StatePaths } from './state-dir.js';
import { DAEMON_VERSION } from '../version.js';
import { PRUNE_INTERVAL_MS, RETAIN_ITERATIONS_MS, RETAIN_RUNS_MS } from '../constants.js';
import { EVENT_BACKLOG_MAX_AGE_MS, EVENT_BACKLOG_MAX_ROWS } from '../constants.js';

/** Options of {@link startDaemon}. */
export interface StartDaemonOptions {
  /** State directory: socket, descriptor, SQLite file, logs. */
  home: string;
  /** How runners are launched (the CLI composes it). */
  launcher: RunnerLauncher;
  logger?: Logger;
  /** Install SIGTERM/SIGINT handlers that shut down gracefully and exit 0. @default false */
  handleSignals?: boolean;
  handshakeTimeoutMs?: number;
  runLog?: RunLogOptions;
  /**
   * History retention, ms of age (by end time): iterations of finished runs, and finished runs
   * themselves with their attempts and iterations. Pruned at start and hourly; a run that is
   * not finished is never pruned. @default { iterationsMs: 30 days, runsMs: 90 days }
   */
  retention?: { iterationsMs?: number | undefined; runsMs?: number | undefined } | undefined;
  /**
   * Event backlog bound (`monitor.subscribe`): the newest `maxRows` ids, kept as events are
   * stored; events older than `maxAgeMs`, pruned with the history.
   * @default { maxRows: 100 000, maxAgeMs: 7 days }
   */
  eventBacklog?: { maxRows?: number | undefined; maxAgeMs?: number | undefined } | undefined;
}

/** A running daemon. */
export interface DaemonHandle {
  readonly paths: StatePaths;
  readonly supervisor: RunnerSupervisor;
  /** The event log behind `monitor.subscribe`. */
  readonly events: EventHub;
  readonly descriptor: DaemonDescriptor;
  info(): SystemInfo;
  /** Stops every runner (3-phase), closes the socket and the store, removes the descriptor. */
  shutdown(): Promise<void>;
  /** Settles when shutdown has finished. */
  readonly closed: Promise<void>;
}

/**
 * Starts the daemon in this process: takes the state directory (single instance; a stale
 * descriptor of a dead daemon is cleaned), opens SQLite, marks runs a previous daemon left
 * active as `daemon_lost`, binds the control socket, then writes the descriptor.
 *
 * @throws DaemonError X_DAEMON_ALREADY_RUNNING when a live daemon serves `home`;
 *   X_DAEMON_STATE_DIR / X_DAEMON_SOCKET_PATH_TOO_LONG for an unusable `home`;
 *   X_DAEMON_PERSISTENCE when the database cannot be opened.
 */
export async function startDaemon(options: StartDaemonOptions): Promise<DaemonHandle> {
  const logger = options.logger ?? createLogger();
  const paths = statePaths(options.home);
  ensureStateDir(paths);
  const release = await acquireStartupLock(paths);
  let store: RunStore | undefined;
  let server: ControlServer | undefined;
  try {
    const probe = await probeDaemon(paths);
    if (probe.status === 'running') {
      throw new DaemonError(
        DAEMON_ERROR_CODES.ALREADY_RUNNING,
        `x: a daemon already runs for ${paths.home} (pid ${probe.descriptor.pid}, socket ${probe.descriptor.socketPath})`,
      );
    }
    if (probe.status === 'stale') {
      logger.warn(`removing stale daemon descriptor: ${probe.why}`);
    }
    cleanStale(paths);

    try {
      store = new RunStore(paths.dbPath);
    } catch (cause) {
      throw new DaemonError(
        DAEMON_ERROR_CODES.PERSISTENCE,
        `x: cannot open the database ${paths.dbPath}: ${(cause as Error).message}; check the disk and the file's permissions`,
        { cause },
      );
    }

    const supervisor = new RunnerSupervisor({
      launcher: options.launcher,
      store,
      logsDir: paths.logsDir,
      logger,
      handshakeTimeoutMs: options.handshakeTimeoutMs,
      runLog: options.runLog,
    });
    const openStore = store;
    const eventRows = options.eventBacklog?.maxRows ?? EVENT_BACKLOG_MAX_ROWS;
    const events = new EventHub({
      source: supervisor.onEvent,
      store: new EventStore(store.database),
      logger,
      maxRows: eventRows,
    });
    supervisor.recover();
    const retention = {
      iterationsMs: options.retention?.iterationsMs ?? RETAIN_ITERATIONS_MS,
      runsMs: options.retention?.runsMs ?? RETAIN_RUNS_MS,
    };
    const prune = () => {
      const now = Date.now();
      try {
        const pruned = openStore.prune({
          iterationsBefore: now - retention.iterationsMs,
          runsBefore: now - retention.runsMs,
        });
        if (pruned.iterations + pruned.runs + pruned.turns + pruned.permissions > 0) {
          logger.info(
            `retention: pruned ${pruned.iterations} iteration(s), ${pruned.turns} turn(s), ${pruned.permissions} permission request(s) and ${pruned.runs} finished run(s)`,
          );
        }
      } catch (error) {
        logger.error(`retention: prune failed: ${(error as Error).message}`);
      }
      const maxAgeMs = options.eventBacklog?.maxAgeMs ?? EVENT_BACKLOG_MAX_AGE_MS;
      const prunedEvents = events.prune({ maxRows: eventRows, before: now - maxAgeMs });
      if (prunedEvents > 0) {
        logger.info(`retention: pruned ${prunedEvents} event(s) from the backlog`);
      }
    };
    prune();
    const pruneTimer = setInterval(prune, PRUNE_INTERVAL_MS);
    pruneTimer.unref();
    const startedAt = Date.now();
    const descriptor: DaemonDescriptor = {
      pid: process.pid,
      socketPath: paths.socketPath,
      version: DAEMON_VERSION,
      protocolVersion: PROTOCOL_VERSION,
      startedAt,
      home: paths.home,
    };
    const info = (): SystemInfo => ({
      pid: process.pid,
      version: DAEMON_VERSION,
      protocolVersion: PROTOCOL_VERSION,
      home: paths.home,
      socketPath: paths.socketPath,
      startedAt,
      uptimeMs: Date.now() - startedAt,
      launcher: supervisor.launcherKind,
      activeRuns: supervisor.activeCount,
      persistence: supervisor.persistence,
      node: process.version,
    });

    let shutdownPromise: Promise<void> | undefined;
    let markClosed!: () => void;
    const closed = new Promise<void>((resolve) => (markClosed = resolve));
    const shutdown = (): Promise<void> => {
      shutdownPromise ??= (async () => {
        logger.info(`shutting down: stopping ${supervisor.activeCount} run(s)`);
        clearInterval(pruneTimer);
        await supervisor.stopAll();
        // Spare runners (pre-started, not yet runs) go with the daemon.
        await options.launcher.close?.();
        events.close();
        // Lets the last events reach the subscribers' sockets before they are closed.
        await new Promise((resolve) => setImmediate(resolve));
        await server?.close();
        openStore.close();
        removeDescriptor(paths.descriptorPath);
        rmSync(paths.socketPath, { force: true });
        logger.info('daemon stopped');
        markClosed();
      })();
      return shutdownPromise;
    };

    server = new ControlServer({
      socketPath: paths.socketPath,
      logger,
      register: (connection, socket) => {
        registerControlMethods(connection, { supervisor, info, shutdown: () => void shutdown() });
        registerMonitorMethods(connection, socket, events);
      },
    });
    await server.listen();
    writeDescriptor(paths.descriptorPath, descriptor);
    logger.info(
      `daemon ${DAEMON_VERSION} (pid ${process.pid}) serving ${paths.socketPath}, launcher ${options.launcher.kind}`,
    );

    if (options.handleSignals === true) {
      const onSignal = (signal: NodeJS.Signals) => {
        logger.info(`received ${signal}: graceful shutdown`);
        void shutdown().then(() => process.exit(0));
      };
      process.once('SIGTERM', onSignal);
      process.once('SIGINT', onSignal);
    }
    return { paths, supervisor, events, descriptor, info, shutdown, closed };
  } catch (error) {
    await server?.close().catch(() => undefined);
    store?.close();
    await Promise.resolve(options.launcher.close?.()).catch(() => undefined);
    throw error;
  } finally {
    await release().catch(() => undefined);
  }
}
