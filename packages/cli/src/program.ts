import { Command } from 'commander';
import { addAgentStartCommand } from './agent-start-command.js';
import { addDurableAgentCommands } from './durable-agent-commands.js';
import { addHousekeepingCommands } from './housekeeping-options.js';
import { addMetricsOption } from './metrics-option.js';
import { parseSince } from './since-option.js';
import { CliError } from './errors.js';
import { EXIT_CODES } from './exit-codes.js';
import { globals } from './global-options.js';
import { parseNonNegativeInt, parsePositiveInt } from './option-parsers.js';
import { CLI_VERSION } from './version.js';
import { addFleetBudgetOption, type FleetBudgetFlags } from './fleet-budget-option.js';
import { addConfigOption, type ConfigFlags } from './config-option.js';
import { addRetentionOptions, type RetentionFlags } from './retention-options.js';
import { addStopGraceOptions, addSupervisionOptions } from './supervision-options.js';
import { addUsageHints } from './usage-hint.js';

/**
 * Builds the `x` command. Command modules are imported lazily so that `x runner --pipe`
 * (started once per runner) loads only the kernel.
 * The action's resolved value, when a number, is the exit code.
 */
export function createProgram(setExitCode: (code: number) => void): Command {
  const program = new Command('x')
    .description('x: a supervisor for long-running AI agent runners')
    .version(CLI_VERSION, '-v, --version')
    .option(
      '--home <dir>',
      'state directory (default: $X_HOME, else $XDG_STATE_HOME/x or ~/.local/state/x)',
    )
    .option('--json', 'machine-readable output: one JSON document on stdout')
    .exitOverride();

  const daemon = program
    .command('daemon')
    .description('start, stop and inspect the supervisor daemon');
  addConfigOption(addFleetBudgetOption(addRetentionOptions(daemon.command('start'))))
    .description('start the daemon detached (returns when it answers), or in the foreground')
    .option('--foreground', 'run in this process until SIGTERM/SIGINT', false)
    .action(
      async (
        options: { foreground: boolean } & RetentionFlags & FleetBudgetFlags & ConfigFlags,
        command: Command,
      ) => {
        const { daemonStart } = await import('./commands/daemon-start.js');
        await daemonStart({ ...globals(command), ...options });
      },
    );
  daemon
    .command('stop')
    .description('stop every runner (3-phase), then the daemon')
    .option(
      '--resume',
      'runs with a restart policy (always, on-failure) come back when the daemon starts again, from their checkpoint (as after a SIGTERM)',
      false,
    )
    .action(async (options: { resume: boolean }, command: Command) => {
      const { daemonStop } = await import('./commands/daemon-stop.js');
      await daemonStop({ ...globals(command), ...options });
    });
  addConfigOption(addFleetBudgetOption(addRetentionOptions(daemon.command('restart'))))
    .description(
      'stop the daemon (if running), then start it detached; runs with a restart policy come back',
    )
    .option('--no-resume', 'leave every run stopped (as x daemon stop does)')
    .action(
      async (
        flags: RetentionFlags & FleetBudgetFlags & ConfigFlags & { resume: boolean },
        command: Command,
      ) => {
        const { stopDaemon, printDaemonStop } = await import('./commands/daemon-stop.js');
        const { startDetachedDaemon, printDaemonStart } =
          await import('./commands/daemon-start.js');
        const { printJson } = await import('./output.js');
        const options = globals(command);
        const stop = await stopDaemon(options.home, { resume: flags.resume });
        const start = await startDetachedDaemon(options.home, flags);
        if (options.json) {
          printJson({ stop, start }); // one document
        } else {
          printDaemonStop(stop, false);
          printDaemonStart(start, false);
        }
      },
    );
  daemon
    .command('status')
    .description('show the daemon (exit code 3 when it is not running)')
    .action(async (_options: unknown, command: Command) => {
      const { daemonStatus } = await import('./commands/daemon-status.js');
      setExitCode(await daemonStatus(globals(command)));
    });

  program
    .command('startup')
    .description(
      'start the daemon at boot: write and enable a systemd user unit (Linux) or launchd agent (macOS)',
    )
    .option('--print', 'print the unit (plist) instead of installing it', false)
    .option('--config <file>', 'a fleet file (x.config.json) to `x up` once the daemon is ready')
    .option(
      '--env <names...>',
      'variables of this shell to give the daemon and its runners (PATH and X_HOME always)',
    )
    .option(
      '--stop-timeout <s>',
      'seconds the service manager waits for the daemon to stop its runs before SIGKILL',
      parsePositiveInt,
    )
    .action(
      async (
        options: { print: boolean; config?: string; env?: string[]; stopTimeout?: number },
        command: Command,
      ) => {
        const { startupCommand } = await import('./startup/startup-command.js');
        await startupCommand({ ...globals(command), ...options });
      },
    );
  program
    .command('unstartup')
    .description('disable and remove what `x startup` wrote (a running daemon keeps running)')
    .action(async (_options: unknown, command: Command) => {
      const { unstartupCommand } = await import('./startup/startup-command.js');
      await unstartupCommand(globals(command));
    });

  // `--metrics` on the commands that start a daemon (its own module, like its other options).
  for (const name of ['start', 'restart']) {
    addMetricsOption(daemon.commands.find((command) => command.name() === name)!);
  }

  const agent = program.command('agent').description('start, stop and inspect agent runs');
  const ref = (
    command: Command,
    positional: string | undefined,
    name: string | undefined,
  ): string => {
    const value = positional ?? name;
    if (value === undefined) {
      throw new CliError(
        `x: ${command.name()}: name the run: \`x agent ${command.name()} <run-id-or-name>\` or --name <name>`,
        EXIT_CODES.USAGE,
      );
    }
    return value;
  };
  addAgentStartCommand(agent);
  addStopGraceOptions(
    agent
      .command('stop')
      .description('stop a run: IPC stop, then SIGTERM, then SIGKILL to its process group')
      .argument('[run]', 'run id or name')
      .option('--name <name>', 'the run to stop, by name'),
  ).action(
    async (
      run: string | undefined,
      options: { name?: string; ipcGrace?: number; sigtermGrace?: number },
      command: Command,
    ) => {
      const { agentStop } = await import('./commands/agent-commands.js');
      await agentStop({
        ...globals(command),
        ref: ref(command, run, options.name),
        ipcGraceMs: options.ipcGrace,
        sigtermGraceMs: options.sigtermGrace,
      });
    },
  );
  agent
    .command('list')
    .alias('ls')
    .description('list active runs and the most recent finished ones')
    .option('-a, --all', 'every run in the history', false)
    .action(async (options: { all: boolean }, command: Command) => {
      const { agentList } = await import('./commands/agent-commands.js');
      await agentList({ ...globals(command), all: options.all });
    });
  agent
    .command('status')
    .description('show one run: state (and why paused), pid, iterations, usage and budget, exit')
    .argument('[run]', 'run id or name')
    .option('--name <name>', 'the run, by name')
    .option('--iterations <n>', 'recent iterations to show', parseNonNegativeInt, 5)
    .action(
      async (
        run: string | undefined,
        options: { name?: string; iterations: number },
        command: Command,
      ) => {
        const { agentStatus } = await import('./commands/agent-commands.js');
        await agentStatus({
          ...globals(command),
          ref: ref(command, run, options.name),
          iterations: options.iterations,
        });
      },
    );
  agent
    .command('logs')
    .description("print a run's log (stdout, stderr, agent log lines, x's notes)")
    .argument('[run]', 'run id or name')
    .option('--name <name>', 'the run, by name')
    .option(
      '-n, --lines <n>',
      'lines to print (default 100; with --since, 10 000)',
      parsePositiveInt,
    )
    .option(
      '--since <when>',
      'only lines logged since then: a duration ago (30s, 10m, 2h, 1d) or a timestamp',
      (value: string) => parseSince(value),
    )
    .option('-f, --follow', 'keep printing new lines until the run exits', false)
    .action(
      async (
        run: string | undefined,
        options: { name?: string; lines?: number; since?: number; follow: boolean },
        command: Command,
      ) => {
        const { agentLogs } = await import('./commands/agent-commands.js');
        await agentLogs({
          ...globals(command),
          ref: ref(command, run, options.name),
          lines: options.lines,
          since: options.since,
          follow: options.follow,
        });
      },
    );
  agent
    .command('send')
    .description('submit a turn to a running agent: prints the turn id, or with --wait its output')
    .argument('<run>', 'run id or name')
    .argument('<input>', 'the input: parsed as JSON when valid JSON, else a string; - reads stdin')
    .option('--wait', 'wait for the result and print it (exit 1 on error or cancelled)', false)
    .option(
      '--timeout <ms>',
      'with --wait: give up waiting after this long (exit 124; the turn keeps running)',
      parsePositiveInt,
    )
    .action(
      async (
        run: string,
        input: string,
        options: { wait: boolean; timeout?: number },
        command: Command,
      ) => {
        const { agentSend } = await import('./commands/turn-commands.js');
        await agentSend({
          ...globals(command),
          ref: run,
          input,
          wait: options.wait,
          timeoutMs: options.timeout,
        });
      },
    );
  agent
    .command('turns')
    .description("list a run's recent turns, or show one turn and its output")
    .argument('<run>', 'run id or name')
    .argument('[turn]', 'a turn id (t-1, …)')
    .option('-n, --limit <n>', 'turns to list', parsePositiveInt, 20)
    .action(
      async (
        run: string,
        turn: string | undefined,
        options: { limit: number },
        command: Command,
      ) => {
        const { agentTurns } = await import('./commands/turn-commands.js');
        await agentTurns({ ...globals(command), ref: run, turnId: turn, limit: options.limit });
      },
    );
  agent
    .command('cancel')
    .description('cancel a turn in flight (it ends as cancelled)')
    .argument('<run>', 'run id or name')
    .argument('<turn>', 'the turn id')
    .option('--reason <text>', 'why, passed to the agent')
    .action(async (run: string, turn: string, options: { reason?: string }, command: Command) => {
      const { agentCancel } = await import('./commands/turn-commands.js');
      await agentCancel({ ...globals(command), ref: run, turnId: turn, reason: options.reason });
    });
  addDurableAgentCommands(agent);
  addHousekeepingCommands(agent, daemon);
  for (const [name, decision] of [
    ['approve', 'granted'],
    ['deny', 'denied'],
  ] as const) {
    agent
      .command(name)
      .description(
        `${decision === 'granted' ? 'grant' : 'deny'} a pending permission request (see \`x agent status\`)`,
      )
      .argument('<run>', 'run id or name')
      .argument('<request>', 'the request id')
      .option('--reason <text>', 'why, passed to the agent')
      .action(
        async (run: string, request: string, options: { reason?: string }, command: Command) => {
          const { agentAnswerPermission } = await import('./commands/permission-commands.js');
          await agentAnswerPermission({
            ...globals(command),
            ref: run,
            requestId: request,
            decision,
            reason: options.reason,
          });
        },
      );
  }

  const service = program
    .command('service')
    .description('supervise any program, health-checked by HTTP/TCP probes');
  addSupervisionOptions(service.command('start'))
    .description(
      'start a program as a service: running once its readiness probe passes; restarted by policy',
    )
    .argument('<command...>', 'the program and its arguments, after --')
    .option('--name <name>', 'service name, unique among active runs (default: the program name)')
    .option('--ready-http <url>', 'readiness probe: HTTP GET answering 2xx')
    .option('--ready-tcp <host:port>', 'readiness probe: TCP connect')
    .option('--live-http <url>', 'liveness probe: HTTP GET answering 2xx')
    .option('--live-tcp <host:port>', 'liveness probe: TCP connect')
    .option('--probe-interval <ms>', 'time between probe checks (default 1000)', parsePositiveInt)
    .option(
      '--probe-timeout <ms>',
      'a check slower than this fails (default 1000)',
      parsePositiveInt,
    )
    .option(
      '--failure-threshold <n>',
      'liveness failures in a row that restart it (default 3)',
      parsePositiveInt,
    )
    .option(
      '--ready-timeout <ms>',
      'how long readiness may take before the start fails (default 60000)',
      parsePositiveInt,
    )
    .action(async (argv: string[], options: Record<string, unknown>, command: Command) => {
      const { serviceStart } = await import('./commands/service-commands.js');
      await serviceStart({
        ...globals(command),
        ...(options as object),
        name: options.name as string | undefined,
        command: argv,
      });
    });
  service
    .command('status')
    .description(
      'show a service: starting, running {pid}, restarting {attempt, lastError}, failed, stopped',
    )
    .argument('<name>', 'service name or run id')
    .action(async (name: string, _options: unknown, command: Command) => {
      const { serviceStatusCommand } = await import('./commands/service-commands.js');
      await serviceStatusCommand({ ...globals(command), ref: name });
    });
  service
    .command('stop')
    .description('stop a service: SIGTERM to its process group, then SIGKILL')
    .argument('<name>', 'service name or run id')
    .action(async (name: string, _options: unknown, command: Command) => {
      const { agentStop } = await import('./commands/agent-commands.js');
      await agentStop({ ...globals(command), ref: name });
    });
  service
    .command('logs')
    .description("print a service's log")
    .argument('<name>', 'service name or run id')
    .option('-n, --lines <n>', 'lines to print', parsePositiveInt, 100)
    .option('-f, --follow', 'keep printing new lines until it exits', false)
    .action(async (name: string, options: { lines: number; follow: boolean }, command: Command) => {
      const { agentLogs } = await import('./commands/agent-commands.js');
      await agentLogs({
        ...globals(command),
        ref: name,
        lines: options.lines,
        follow: options.follow,
      });
    });
  service
    .command('list')
    .alias('ls')
    .description('list services')
    .option('-a, --all', 'every service in the history', false)
    .action(async (options: { all: boolean }, command: Command) => {
      const { serviceList } = await import('./commands/service-commands.js');
      await serviceList({ ...globals(command), all: options.all });
    });

  program
    .command('up')
    .description(
      `start every agent and service of a fleet file (default ./x.config.json) that is not running`,
    )
    .option('--file <path>', 'the fleet file', 'x.config.json')
    .action(async (options: { file: string }, command: Command) => {
      const { fleetUp } = await import('./commands/fleet.js');
      setExitCode(await fleetUp({ ...globals(command), file: options.file }));
    });
  program
    .command('down')
    .description('stop every agent and service of a fleet file')
    .option('--file <path>', 'the fleet file', 'x.config.json')
    .action(async (options: { file: string }, command: Command) => {
      const { fleetDown } = await import('./commands/fleet.js');
      setExitCode(await fleetDown({ ...globals(command), file: options.file }));
    });

  program
    .command('events')
    .description(
      'print the daemon events (run states, iterations, logs, notifications…); -f follows them',
    )
    .option('-f, --follow', 'keep printing new events until Ctrl-C or the daemon stops', false)
    .option(
      '--since <id>',
      'the events after this id (default: the last --lines)',
      parseNonNegativeInt,
    )
    .option('--run <run>', 'only the events of this run (id, or name: every run of that name)')
    .option(
      '--type <types...>',
      'only events of these types (run_state, iteration_done, log, notify, …)',
    )
    .option(
      '-n, --lines <n>',
      'backlog events printed when --since is not given',
      parsePositiveInt,
      50,
    )
    .action(
      async (
        options: { follow: boolean; since?: number; run?: string; type?: string[]; lines: number },
        command: Command,
      ) => {
        const { eventsCommand } = await import('./commands/events-command.js');
        setExitCode(
          await eventsCommand({
            ...globals(command),
            follow: options.follow,
            since: options.since,
            ref: options.run,
            types: options.type,
            lines: options.lines,
          }),
        );
      },
    );

  program
    .command('top')
    .description(
      'a live view of the runs: state, CPU, memory, iterations, spend, pending requests; q quits',
    )
    .option('--once', 'print one frame (with --json, the rows) and exit: for a pipe or a script')
    .option(
      '--width <columns>',
      'with --once: the frame width (default: the terminal, $COLUMNS, else 120)',
      parsePositiveInt,
    )
    .option('--sort <column>', 'order by this column (cpu, mem, name, …; -cpu reverses)')
    .option('--filter <text>', 'only runs whose name contains this')
    .action(
      async (
        options: { once?: boolean; width?: number; sort?: string; filter?: string },
        command: Command,
      ) => {
        // Imported here only: no other command loads Ink and React.
        const { topCommand } = await import('./commands/top-command.js');
        setExitCode(
          await topCommand({ ...globals(command), ...options, once: options.once ?? false }),
        );
      },
    );

  program
    .command('runner')
    .description('host one agent for a supervisor (started by the daemon, not by hand)')
    .option('--pipe', 'speak the runner protocol on fd 3', false)
    .action(async (options: { pipe: boolean }) => {
      if (!options.pipe) {
        throw new CliError(
          'x runner: only --pipe mode exists: the daemon starts `x runner --pipe` with the protocol on fd 3',
          EXIT_CODES.USAGE,
        );
      }
      const { runPipe } = await import('@x/kernel/pipe');
      await runPipe();
    });

  addUsageHints(program);
  return program;
}
