import { exitQuietlyOnClosedStdout } from '../closed-stdout.js';
import { agentList, agentStatus } from '../commands/agent-commands.js';
import { daemonStatus } from '../commands/daemon-status.js';
import { EXIT_CODES } from '../exit-codes.js';
import { reportError } from '../report-error.js';
import { resolveHome } from '../state-home.js';
import { usageHintFor } from '../usage-hint.js';
import { CLI_VERSION } from '../version.js';
import { parseFastArgv, type FastCommand } from './fast-argv.js';

/** The words of each fast command, for its usage hint (`run \`x agent status --help\`…`). */
const PATHS: Readonly<Record<FastCommand['kind'], string>> = {
  version: 'x',
  'agent-list': 'x agent list',
  'agent-status': 'x agent status',
  'daemon-status': 'x daemon status',
};

/**
 * Runs `argv` (as `process.argv`) when it is one of the client commands of the fast path
 * (see parseFastArgv) and resolves with its kind (`agent-list`…), having set
 * `process.exitCode`; resolves with undefined, having done nothing, for any other command
 * line: then `main` (commander) runs it. The command
 * functions, the error report and the exit codes are main's own, so the output is the same
 * byte for byte; what is left out is commander and the modules of the other commands.
 * This module is bundled on its own as CommonJS (dist/client.cjs, scripts/build-cli.mjs).
 */
export async function runFast(argv: readonly string[]): Promise<FastCommand['kind'] | undefined> {
  const command = parseFastArgv(argv.slice(2));
  if (command === undefined) {
    return undefined;
  }
  exitQuietlyOnClosedStdout();
  const json = command.kind !== 'version' && command.json;
  try {
    process.exitCode = await runCommand(command);
  } catch (error) {
    reportError(error, json, (code) =>
      code === EXIT_CODES.USAGE ? usageHintFor(PATHS[command.kind]) : undefined,
    );
  }
  return command.kind;
}

/** Runs `command`; resolves with its exit code. */
async function runCommand(command: FastCommand): Promise<number> {
  if (command.kind === 'version') {
    process.stdout.write(`${CLI_VERSION}\n`);
    return EXIT_CODES.OK;
  }
  const globals = { home: resolveHome(command.home), json: command.json };
  switch (command.kind) {
    case 'agent-list':
      await agentList({ ...globals, all: command.all });
      return EXIT_CODES.OK;
    case 'agent-status':
      await agentStatus({ ...globals, ref: command.ref, iterations: command.iterations });
      return EXIT_CODES.OK;
    case 'daemon-status':
      return daemonStatus(globals);
  }
}
