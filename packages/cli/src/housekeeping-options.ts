import type { Command } from 'commander';
import { globals } from './global-options.js';
import { parsePositiveInt } from './option-parsers.js';
import { addStopGraceOptions } from './supervision-options.js';
import { parseSince } from './since-option.js';

/**
 * Adds `x agent restart`, `x agent rm` (alias `remove`) to `agent`, and `x daemon logs` to
 * `daemon` (issue 11). Their actions are imported lazily, as every command's.
 */
export function addHousekeepingCommands(agent: Command, daemon: Command): void {
  addStopGraceOptions(
    agent
      .command('restart')
      .description(
        'stop a run, then start it again with the same settings: a new attempt, from its newest checkpoint',
      )
      .argument('<run>', 'run id or name (a finished run comes back too)'),
  ).action(
    async (
      run: string,
      options: { ipcGrace?: number; sigtermGrace?: number },
      command: Command,
    ) => {
      const { agentRestart } = await import('./commands/housekeeping-commands.js');
      await agentRestart({
        ...globals(command),
        ref: run,
        ipcGraceMs: options.ipcGrace,
        sigtermGraceMs: options.sigtermGrace,
      });
    },
  );
  agent
    .command('rm')
    .alias('remove')
    .description(
      'forget a finished run: its history, checkpoints and log files (its spend still counts toward the day)',
    )
    .argument('<run>', 'run id or name (refused while the run is active)')
    .action(async (run: string, _options: unknown, command: Command) => {
      const { agentRemove } = await import('./commands/housekeeping-commands.js');
      await agentRemove({ ...globals(command), ref: run });
    });
  daemon
    .command('logs')
    .description("print the daemon's own log (<home>/daemon.log); -f follows it")
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
    .option('-f, --follow', 'keep printing new lines until Ctrl-C', false)
    .action(
      async (options: { lines?: number; since?: number; follow: boolean }, command: Command) => {
        const { daemonLogs } = await import('./commands/housekeeping-commands.js');
        await daemonLogs({ ...globals(command), ...options });
      },
    );
}
