import type { ProbeInput, RunRecord, ServiceStatus } from '@x/daemon';
import { withDaemon } from '../daemon-client.js';
import { CliError } from '../errors.js';
import { EXIT_CODES } from '../exit-codes.js';
import { listRuns } from '../list-runs.js';
import { formatTime, printFields, printJson, printTable } from '../output.js';
import { supervisionRequest, type SupervisionOptions } from '../supervision-options.js';

interface Base {
  home: string;
  json: boolean;
}

/** Probe flags of `x service start`, as commander parses them. */
export interface ProbeOptions {
  readyHttp?: string;
  readyTcp?: string;
  liveHttp?: string;
  liveTcp?: string;
  probeInterval?: number;
  probeTimeout?: number;
  failureThreshold?: number;
  readyTimeout?: number;
}

/** `x service start --name N [probes] -- <command...>`: a health-gated supervised program. */
export async function serviceStart(
  options: Base &
    SupervisionOptions &
    ProbeOptions & { name?: string | undefined; command: string[] },
): Promise<void> {
  const timing = {
    intervalMs: options.probeInterval,
    timeoutMs: options.probeTimeout,
    failureThreshold: options.failureThreshold,
  };
  const probe = (
    http: string | undefined,
    tcp: string | undefined,
    flag: string,
  ): ProbeInput | undefined => {
    if (http !== undefined && tcp !== undefined) {
      throw new CliError(
        `x service start: give --${flag}-http or --${flag}-tcp, not both`,
        EXIT_CODES.USAGE,
      );
    }
    return http !== undefined
      ? { http, ...timing }
      : tcp !== undefined
        ? { tcp, ...timing }
        : undefined;
  };
  const run = await withDaemon(options.home, (client) =>
    client.agent.start({
      kind: 'service',
      name: options.name,
      command: options.command,
      cwd: process.cwd(),
      stopBudget: { ipcMs: 0, sigtermMs: options.sigtermGrace },
      probes: {
        readiness: probe(options.readyHttp, options.readyTcp, 'ready'),
        liveness: probe(options.liveHttp, options.liveTcp, 'live'),
        readinessTimeoutMs: options.readyTimeout,
      },
      ...supervisionRequest(options),
    }),
  );
  if (options.json) {
    printJson(run);
    return;
  }
  process.stdout.write(
    `service ${run.name} (run ${run.runId}) is ${run.state}${run.pid === null ? '' : `, pid ${run.pid}`}\n`,
  );
  printFields([
    ['command', run.options.command?.join(' ')],
    ['log', run.logPath],
  ]);
}

/** `x service status <name>`: the service's tagged status. */
export async function serviceStatusCommand(options: Base & { ref: string }): Promise<void> {
  const status = await withDaemon(options.home, (client) =>
    client.agent.status({ ref: options.ref, iterations: 0 }),
  );
  if (status.service === undefined) {
    throw new CliError(
      `x: ${options.ref} is an agent, not a service; use \`x agent status ${options.ref}\``,
    );
  }
  if (options.json) {
    printJson({ service: status.service, run: status.run });
    return;
  }
  printFields(describeService(status.run, status.service));
}

function describeService(
  run: RunRecord,
  service: ServiceStatus,
): [string, string | number | null][] {
  const fields: [string, string | number | null][] = [
    ['name', run.name],
    ['run', run.runId],
    ['status', service.state],
  ];
  switch (service.state) {
    case 'running':
      fields.push(['pid', service.pid], ['attempt', service.attempt]);
      break;
    case 'restarting':
      fields.push(
        ['attempt', service.attempt],
        ['next start', formatTime(service.nextRestartAt)],
        ['last error', service.lastError],
      );
      break;
    case 'failed':
      fields.push(['attempts', service.attempts], ['last error', service.lastError]);
      break;
    case 'stopped':
      fields.push(['last exit', service.lastExit]);
      break;
    default:
      break;
  }
  fields.push(['command', run.options.command?.join(' ') ?? null], ['log', run.logPath]);
  return fields;
}

/** `x service list`: services only. */
export async function serviceList(options: Base & { all: boolean }): Promise<void> {
  const runs = await withDaemon(options.home, (client) => listRuns(client, { all: options.all }));
  const services = runs.filter((run) => run.options.kind === 'service');
  if (options.json) {
    printJson({ runs: services });
    return;
  }
  if (services.length === 0) {
    process.stdout.write(
      'no services; start one with `x service start --name <name> -- <command>`\n',
    );
    return;
  }
  printTable(
    ['NAME', 'RUN', 'STATE', 'PID', 'ATTEMPT', 'EXIT'],
    services.map((run) => [
      run.name,
      run.runId,
      run.state,
      run.state === 'running' ? (run.pid ?? '-') : '-',
      run.attempt,
      run.exit?.reason ?? '-',
    ]),
  );
}
