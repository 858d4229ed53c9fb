import { PROTOCOL_VERSION, type ModelPrices } from '@x/ipc';
import { ControlServer } from '../control/control-server.js';
import { registerControlMethods, type SystemInfo } from '../control/control-methods.js';
import { registerMonitorMethods } from '../control/monitor-methods.js';
import { registerDurableMethods } from '../control/durable-methods.js';
import { registerHousekeepingMethods } from '../control/housekeeping-methods.js';
import { EventHub } from '../monitor/event-hub.js';
import type { DaemonMetrics } from '../metrics/daemon-metrics.js';
import { parseMetricsAddress, type MetricsAddress } from '../metrics/metrics-address.js';
import { startMetricsServer, type MetricsServer } from '../metrics/metrics-server.js';
import { resolveHooks, type HookConfig } from '../hooks/hook-config.js';
import { resolveModelPrices } from '../pricing/model-prices-config.js';
import { HookDispatcher } from '../hooks/hook-dispatcher.js';
import type { HookStats } from '../hooks/hook-queue.js';
import { EventStore } from '../persistence/event-store.js';
import { DAEMON_ERROR_CODES, DaemonError } from '../errors.js';
import type { RunnerLauncher } from '../launch/runner-launcher.js';
import type { RunLogOptions } from '../logs/run-log.js';
import type { RunRecord } from '../persistence/records.js';
import { RunStore } from '../persistence/run-store.js';
import { PersistenceGuard } from '../persistence/persistence-guard.js';
import { RunnerSupervisor, type ShutdownOptions } from '../supervisor/runner-supervisor.js';
import {
  readDescriptor,
  removeOwnDescriptor,
  writeDescriptor,
  type DaemonDescriptor,
} from './descriptor.js';
import { createLogger, type Logger } from './logger.js';
import { installFaultNet } from './fault-net.js';
import { acquireStartupLock, probeDaemon } from './single-instance.js';
import {
  claimSocketPath,
  privateSocketName,
  releaseSocketPath,
  type OwnedSocket,
} from './socket-claim.js';
import { ensureStateDir, statePaths, type StatePaths } from './state-dir.js';
import { DAEMON_VERSION } from '../version.js';
import { PRUNE_INTERVAL_MS } from '../constants.js';
import {
  RetentionScheduler,
  resolveRetention,
  type RetentionOptions,
} from '../persistence/retention-scheduler.js';
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
  /**
   * Install the process-wide net for what escapes every run's boundary: uncaught exceptions and
   * unhandled rejections are logged with their stack and counted (`system.info` `faults`), and
   * the daemon keeps serving (see `installFaultNet`). For a daemon that owns its process.
   * @default handleSignals
   */
  handleFaults?: boolean;
  handshakeTimeoutMs?: number;
  /**
   * The daemon-wide budget: every run's cost within one UTC day, USD. A run whose report brings
   * the total to it is paused (or stopped, with `onBudget: 'stop'`). @default none
   */
  fleetBudget?: { maxCostPerDayUsd?: number | undefined } | undefined;
  /** Checkpoints kept per run. @default 5 */
  checkpointsKept?: number | undefined;
  /** Bytes of records (protocol `store`) each run may keep. @default 64 MiB */
  recordsMaxBytes?: number | undefined;
  runLog?: RunLogOptions;
  /**
   * History retention: iterations, turns and requests of any run by age (`iterationsMs`) and
   * by count (newest `maxIterationsPerRun` per run), finished runs by age (`runsMs`); an
   * active run itself is never pruned. Pruned at start and every `intervalMs`, in batches.
   * @default { iterationsMs: 30 days, runsMs: 90 days, maxIterationsPerRun: 10 000, intervalMs: 60 000 }
   * @throws RangeError (from startDaemon) for a negative period or a bound below 1
   */
  retention?: RetentionOptions | undefined;
  /**
   * Event backlog bound (`monitor.subscribe`): the newest `maxRows` ids, kept as events are
   * stored; events older than `maxAgeMs`, pruned with the history.
   * @default { maxRows: 100 000, maxAgeMs: 7 days }
   */
  eventBacklog?: { maxRows?: number | undefined; maxAgeMs?: number | undefined } | undefined;
  /**
   * Event hooks: commands or HTTP POSTs run on chosen events, each with a bounded queue (see
   * {@link HookConfig} and the Hooks guide). Validated before anything starts.
   * @default none
   * @throws DaemonError X_DAEMON_HOOK_CONFIG (from startDaemon) naming the entry and the field
   */
  hooks?: readonly HookConfig[] | undefined;
  /**
   * The operator's prices by model id (`modelPrices` of x.config.json): US dollars per million
   * tokens, winning over the price catalog (and the agent code's own prices) for every run of
   * this daemon. Handed to each runner at its handshake (`init.modelPrices`, `ctx.modelPrices`),
   * where x's framework adapters compute each model call's cost with them. Validated before
   * anything starts; at most 1000 models. @default none
   * @throws DaemonError X_DAEMON_PRICE_CONFIG (from startDaemon) naming the model and the field
   */
  modelPrices?: Readonly<ModelPrices> | undefined;
  /**
   * Serve `/metrics` (Prometheus text format), `/healthz` and `/readyz` over HTTP on this
   * address: `[host:]port` (host 127.0.0.1 when not given) or `{ host, port }`; port 0 picks a
   * free one (see `DaemonHandle.metrics`). @default none (no HTTP listener)
   * @throws RangeError (from startDaemon) for an address that does not parse; the listen error
   *   (EADDRINUSE…) when it cannot be bound
   */
  metrics?: MetricsOption | undefined;
}

/** `metrics` of {@link StartDaemonOptions}. */
export type MetricsOption = string | MetricsAddress;

/** A running daemon. */
export interface DaemonHandle {
  readonly paths: StatePaths;
  readonly supervisor: RunnerSupervisor;
  /** The event log behind `monitor.subscribe`. */
  readonly events: EventHub;
  /** Each event hook's counters (queued, delivered, failed, dropped), in configuration order. */
  hookStats(): HookStats[];
  readonly descriptor: DaemonDescriptor;
  /** Where `/metrics`, `/healthz` and `/readyz` are served, or null without `metrics`. */
  readonly metrics: MetricsAddress | null;
  info(): SystemInfo;
  /**
   * Stops every runner (3-phase), closes the socket and the store, removes the descriptor.
   * With `resume`, runs whose restart policy is not `no` come back when a daemon starts again
   * on this state directory (see ShutdownOptions). The first call's options hold.
   */
  shutdown(options?: ShutdownOptions): Promise<void>;
  /** Settles when shutdown has finished. */
  readonly closed: Promise<void>;
}

/**
 * Starts the daemon in this process: claims the state directory by binding its control socket
 * (single instance: the kernel keeps a second daemon out for as long as this one holds the
 * socket, even while it is stopped or stalled; a socket left by a dead daemon is replaced),
 * writes the descriptor, opens SQLite, takes over the runs a previous daemon left active
 * (`daemon_lost`), then starts answering on the socket.
 *
 * @throws DaemonError X_DAEMON_ALREADY_RUNNING when a process holds `home`'s socket (answering
 *   or not); X_DAEMON_STATE_DIR / X_DAEMON_SOCKET_PATH_TOO_LONG for an unusable `home`;
 *   X_DAEMON_PERSISTENCE when the database cannot be opened.
 */
export async function startDaemon(options: StartDaemonOptions): Promise<DaemonHandle> {
  const logger = options.logger ?? createLogger();
  // Validated before anything is claimed: a bad address fails the start cleanly.
  const metricsAddress =
    typeof options.metrics === 'string' ? parseMetricsAddress(options.metrics) : options.metrics;
  const hookConfigs = resolveHooks(options.hooks ?? []);
  const modelPrices = resolveModelPrices(options.modelPrices ?? {});
  const paths = statePaths(options.home);
  ensureStateDir(paths);
  const release = await acquireStartupLock(paths);
  let store: RunStore | undefined;
  let server: ControlServer | undefined;
  let owned: OwnedSocket | undefined;
  let metricsServer: MetricsServer | undefined;
  let metrics: DaemonMetrics | undefined;
  const faultNet =
    (options.handleFaults ?? options.handleSignals) === true ? installFaultNet(logger) : undefined;
  try {
    server = new ControlServer({ socketPath: privateSocketName(paths.socketPath), logger });
    await server.listen();
    const claim = await claimSocketPath(privateSocketName(paths.socketPath), paths.socketPath);
    if (!claim.ok) {
      const probe = await probeDaemon(paths);
      const holder =
        probe.status === 'running'
          ? `pid ${probe.descriptor.pid}, socket ${probe.descriptor.socketPath}`
          : probe.status === 'unresponsive'
            ? probe.why
            : (claim.detail ?? 'the socket is held');
      throw new DaemonError(
        DAEMON_ERROR_CODES.ALREADY_RUNNING,
        `x: a daemon already runs for ${paths.home} (${holder}); only one daemon may use a state directory: stop it with \`x daemon stop\`, or use another --home`,
      );
    }
    owned = claim.owned;
    const ownedSocket = claim.owned;
    const stale = readDescriptor(paths.descriptorPath);
    if (stale !== undefined && stale.pid !== process.pid) {
      logger.warn(
        `replacing the descriptor of a daemon that is gone (pid ${stale.pid}): nobody listened on ${paths.socketPath}`,
      );
    }
    const startedAt = Date.now();
    const descriptor: DaemonDescriptor = {
      pid: process.pid,
      socketPath: paths.socketPath,
      version: DAEMON_VERSION,
      protocolVersion: PROTOCOL_VERSION,
      startedAt,
      home: paths.home,
    };
    writeDescriptor(paths.descriptorPath, descriptor);

    try {
      store = new RunStore(paths.dbPath);
    } catch (cause) {
      throw new DaemonError(
        DAEMON_ERROR_CODES.PERSISTENCE,
        `x: cannot open the database ${paths.dbPath}: ${(cause as Error).message}; check the disk and the file's permissions`,
        { cause },
      );
    }

    // One guard for the one database: one health, whichever write failed or succeeded last.
    // Writes that wait in memory on a full disk are replayed 500 per transaction.
    const replay = store.database.transaction((write: () => void) => write());
    const persistence = new PersistenceGuard(logger, { transaction: (write) => replay(write) });
    const supervisor = new RunnerSupervisor({
      launcher: options.launcher,
      store,
      logsDir: paths.logsDir,
      logger,
      handshakeTimeoutMs: options.handshakeTimeoutMs,
      runLog: { logger, ...options.runLog },
      persistence,
      fleetBudget: options.fleetBudget,
      modelPrices,
      checkpointsKept: options.checkpointsKept,
      recordsMaxBytes: options.recordsMaxBytes,
    });
    const openStore = store;
    const eventRows = options.eventBacklog?.maxRows ?? EVENT_BACKLOG_MAX_ROWS;
    const events = new EventHub({
      source: supervisor.onEvent,
      store: new EventStore(store.database),
      logger,
      maxRows: eventRows,
      guard: persistence,
    });
    const hooks = new HookDispatcher(hookConfigs, logger);
    if (hooks.size > 0) {
      events.onPublished((batch) => batch.forEach((event) => hooks.handle(event)));
    }
    persistence.onChange(({ state, what, health }) =>
      events.publish({ type: 'persistence', state, what, health }),
    );
    if (metricsAddress !== undefined) {
      // prom-client (about 13 MiB of RSS) loads only for a daemon that serves metrics.
      const { createDaemonMetrics } = await import('../metrics/daemon-metrics.js');
      metrics = createDaemonMetrics({
        supervisor,
        events,
        persistence,
        database: store.database,
        onEvent: supervisor.onEvent,
        hookStats: () => hooks.stats(),
      });
      metricsServer = await startMetricsServer(metricsAddress, metrics.registry, persistence);
      const { host, port } = metricsServer.address;
      logger.info(
        `serving metrics on http://${host.includes(':') ? `[${host}]` : host}:${port}/metrics`,
      );
    }
    supervisor.recover();
    const maxEventAgeMs = options.eventBacklog?.maxAgeMs ?? EVENT_BACKLOG_MAX_AGE_MS;
    let eventsPrunedAt = -Infinity;
    const retention = new RetentionScheduler({
      pruner: openStore.pruner,
      policy: resolveRetention(options.retention),
      logger,
      // The backlog is bounded by id as events are stored; by age only hourly: `at` is not
      // indexed, and the scan takes 15-25 ms for 100 000 events.
      afterPass: (now) => {
        if (now - eventsPrunedAt < PRUNE_INTERVAL_MS) {
          return;
        }
        eventsPrunedAt = now;
        const prunedEvents = events.prune({ maxRows: eventRows, before: now - maxEventAgeMs });
        if (prunedEvents > 0) {
          logger.info(`retention: pruned ${prunedEvents} event(s) from the backlog`);
        }
      },
    });
    retention.start();
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
      persistence: persistence.health,
      log: logger.stats ?? null,
      databaseBytes: openStore.diskBytes(),
      faults: { ...(faultNet?.faults ?? { count: 0, last: null, lastAt: null }) },
      node: process.version,
      hooks: hooks.stats(),
    });

    let shutdownPromise: Promise<void> | undefined;
    let markClosed!: () => void;
    const closed = new Promise<void>((resolve) => (markClosed = resolve));
    let markStopped!: (runs: RunRecord[]) => void;
    const stopped = new Promise<RunRecord[]>((resolve) => (markStopped = resolve));
    const shutdown = (shutdownOptions: ShutdownOptions = {}): Promise<void> => {
      shutdownPromise ??= (async () => {
        logger.info(
          `shutting down: stopping ${supervisor.activeCount} run(s)${shutdownOptions.resume === true ? '; those with a restart policy resume when a daemon starts again' : ''}`,
        );
        retention.stop();
        const runs = await supervisor.stopAll(undefined, shutdownOptions);
        for (const run of runs) {
          logger.info(`stopped ${run.name} (${run.runId}): ${run.exit?.explanation ?? run.state}`);
        }
        markStopped(runs);
        // Spare runners (pre-started, not yet runs) go with the daemon.
        await options.launcher.close?.();
        await metricsServer?.close();
        metrics?.dispose();
        events.close();
        // The last events (the runs' stops) reach the hooks; a hanging one is cut short.
        await hooks.close();
        // Lets the last events reach the subscribers' sockets before they are closed.
        await new Promise((resolve) => setImmediate(resolve));
        await server?.close();
        // Writes still waiting in memory get a last chance while the database is open.
        persistence.close();
        openStore.close();
        // Only what is still this daemon's: never a successor's socket or descriptor.
        removeOwnDescriptor(paths.descriptorPath);
        releaseSocketPath(ownedSocket);
        persistence.flush();
        logger.info('daemon stopped');
        logger.flush?.();
        faultNet?.dispose();
        markClosed();
      })();
      return shutdownPromise;
    };

    server.serve((connection, socket) => {
      registerControlMethods(connection, {
        supervisor,
        info,
        shutdown: (shutdownOptions) => {
          void shutdown(shutdownOptions);
          return stopped;
        },
      });
      registerMonitorMethods(connection, socket, events);
      registerDurableMethods(connection, supervisor);
      registerHousekeepingMethods(connection, supervisor);
    });
    logger.info(
      `daemon ${DAEMON_VERSION} (pid ${process.pid}) serving ${paths.socketPath}, launcher ${options.launcher.kind}`,
    );

    if (options.handleSignals === true) {
      const onSignal = (signal: NodeJS.Signals) => {
        // systemd's SIGTERM at a reboot, or Ctrl-C: the runs that should run come back.
        logger.info(`received ${signal}: graceful shutdown`);
        void shutdown({ resume: true }).then(() => process.exit(0));
      };
      process.once('SIGTERM', onSignal);
      process.once('SIGINT', onSignal);
    }
    return {
      paths,
      supervisor,
      events,
      hookStats: () => hooks.stats(),
      descriptor,
      metrics: metricsServer?.address ?? null,
      info,
      shutdown,
      closed,
    };
  } catch (error) {
    faultNet?.dispose();
    await metricsServer?.close().catch(() => undefined);
    metrics?.dispose();
    await server?.close().catch(() => undefined);
    if (owned !== undefined) {
      removeOwnDescriptor(paths.descriptorPath);
      releaseSocketPath(owned);
    }
    store?.close();
    await Promise.resolve(options.launcher.close?.()).catch(() => undefined);
    throw error;
  } finally {
    await release().catch(() => undefined);
  }
}
