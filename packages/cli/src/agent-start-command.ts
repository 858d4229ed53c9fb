import { Option, type Command } from 'commander';
import { CliError } from './errors.js';
import { EXIT_CODES } from './exit-codes.js';
import { addBudgetOptions, budgetRequest } from './budget-options.js';
import { globals } from './global-options.js';
import {
  collectKeyValue,
  parseJsonObject,
  parseNonNegativeInt,
  parsePositiveInt,
} from './option-parsers.js';
import {
  addRunnerModeOption,
  addSupervisionOptions,
  runnerModeRequest,
  supervisionRequest,
} from './supervision-options.js';

/** Adds `start` to the `agent` command: its options, and the checks of module vs --command. */
export function addAgentStartCommand(agent: Command): void {
  const start = addRunnerModeOption(addSupervisionOptions(agent.command('start')))
    .description(
      'start an agent module (or, with --command, any program speaking the protocol) as a supervised runner',
    )
    .argument('[module]', 'agent module file (default export: defineAgent({...}))')
    .option(
      '--command <command>',
      "a runner program and its arguments, e.g. 'python3 runner.py' (protocol on fd 3)",
    )
    .option('--name <name>', 'run name, unique among active runs (default: the file name)')
    .option(
      '--params <json>',
      'agent parameters as a JSON object (numbers must fit a double exactly; quote big ones)',
      parseJsonObject,
    )
    .option(
      '--param <key=value>',
      'one agent parameter (repeatable; JSON values are parsed: --param n=3 is a number, --param \'n="3"\' a string)',
      collectKeyValue(true),
    )
    .option('--interval <ms>', 'pause between iterations in ms', parseNonNegativeInt, 1000)
    .option('--max-iterations <n>', 'stop after n iterations', parsePositiveInt)
    .option(
      '--ipc-grace <ms>',
      'stop phase 1: ms between IPC stop and SIGTERM (default 2000)',
      parseNonNegativeInt,
    )
    .addOption(
      new Option('--codec <codec>', 'framing on the runner IPC channel').choices([
        'jsonl',
        'msgpack',
      ]),
    )
    .option(
      '--auto-approve [tools...]',
      'grant permission requests without asking: every tool, or these (names or a,b lists). It takes every word up to the next option: put the module first, or write --auto-approve=a,b, or end the list with --',
    )
    .option(
      '--permission-timeout <ms>',
      'deny a permission request nobody answered after this long (default 1800000 = 30 min)',
      parsePositiveInt,
    )
    .option(
      '--heartbeat-interval <ms>',
      "heartbeat interval asked of the runner (default: the daemon's, 1000)",
      parsePositiveInt,
    )
    .option(
      '--liveness-timeout <ms>',
      'heartbeat silence after which the run is hung and killed; raise it for agents that block their event loop (default 10000)',
      parsePositiveInt,
    );
  addBudgetOptions(start).action(
    async (module: string | undefined, options: Record<string, unknown>, command: Command) => {
      checkModuleOrCommand(module, options.command as string | undefined, options.autoApprove);
      const { agentStart } = await import('./commands/agent-commands.js');
      const params = {
        ...(options.params as Record<string, unknown> | undefined),
        ...(options.param as Record<string, unknown> | undefined),
      };
      await agentStart({
        ...globals(command),
        module,
        command: options.command as string | undefined,
        name: options.name as string | undefined,
        params,
        intervalMs: options.interval as number,
        maxIterations: options.maxIterations as number | undefined,
        ipcGraceMs: options.ipcGrace as number | undefined,
        sigtermGraceMs: options.sigtermGrace as number | undefined,
        codec: options.codec as 'jsonl' | 'msgpack' | undefined,
        autoApprove: autoApproveOption(options.autoApprove),
        permissionTimeoutMs: options.permissionTimeout as number | undefined,
        heartbeatIntervalMs: options.heartbeatInterval as number | undefined,
        livenessTimeoutMs: options.livenessTimeout as number | undefined,
        ...supervisionRequest(options),
        ...runnerModeRequest(options),
        ...budgetRequest(options),
      });
    },
  );
}

/**
 * An agent start needs a module or `--command`, not both. `--auto-approve [tools...]` is
 * variadic: in `x agent start --auto-approve fs.delete mod.mjs` it takes `mod.mjs` as a tool
 * name and no module is left; that is said as such, with the three ways to write it.
 * @throws CliError (exit 2).
 */
export function checkModuleOrCommand(
  module: string | undefined,
  command: string | undefined,
  autoApprove: unknown,
): void {
  if (module !== undefined && command !== undefined) {
    throw new CliError(
      `x: agent start: give an agent module or --command '<program and args>', not both (got the module ${module} and --command ${JSON.stringify(command)})`,
      EXIT_CODES.USAGE,
    );
  }
  if (module !== undefined || command !== undefined) {
    return;
  }
  const words = Array.isArray(autoApprove) ? (autoApprove as string[]) : [];
  const last = words.at(-1);
  if (last === undefined) {
    throw new CliError(
      "x: agent start: no agent module: give one (`x agent start <module>`) or --command '<program and args>'",
      EXIT_CODES.USAGE,
    );
  }
  const tools = words.slice(0, -1);
  const ways =
    tools.length === 0
      ? `\`x agent start --auto-approve -- ${last}\` (every tool), or put the module first: \`x agent start ${last} --auto-approve\``
      : `\`x agent start --auto-approve=${tools.join(',')} ${last}\`, \`x agent start --auto-approve ${tools.join(' ')} -- ${last}\`, or put the module first: \`x agent start ${last} --auto-approve ${tools.join(' ')}\``;
  throw new CliError(
    `x: agent start: no agent module: --auto-approve takes every word after it up to the next option, so it took ${words.join(' ')} as tool name(s). If ${last} is the agent module, write ${ways}`,
    EXIT_CODES.USAGE,
  );
}

/** `--auto-approve` → true; `--auto-approve read write,edit` → ['read', 'write', 'edit']. */
function autoApproveOption(value: unknown): boolean | string[] | undefined {
  if (value === undefined || value === true) {
    return value;
  }
  return (value as string[]).flatMap((tool) => tool.split(',')).filter((tool) => tool !== '');
}
