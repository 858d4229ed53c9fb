import { InvalidArgumentError, Option, type Command } from 'commander';
import { globals } from './global-options.js';
import { parseNonNegativeInt, parsePositiveInt, parseUsd } from './option-parsers.js';

/**
 * Adds the durable-agent commands to `agent`: `pause`, `resume` (with its budget changes),
 * `budget` (changes without resuming) and `checkpoints`. Their actions load `commands/pause-commands.js` and
 * `commands/checkpoint-commands.js` only when run.
 */
export function addDurableAgentCommands(agent: Command): void {
  agent
    .command('pause')
    .description(
      'pause a running agent: it finishes the step or turn in progress, starts none until resumed, and keeps its process',
    )
    .argument('<run>', 'run id or name')
    .option('--reason <text>', 'why, shown in `x agent status` (default: paused by an operator)')
    .action(async (run: string, options: { reason?: string }, command: Command) => {
      const { agentPause } = await import('./commands/pause-commands.js');
      await agentPause({ ...globals(command), ref: run, reason: options.reason });
    });
  addBudgetChangeOptions(
    agent
      .command('resume')
      .description(
        'resume a paused agent, changing its budget first; refused while it would still be over it',
      )
      .argument('<run>', 'run id or name'),
  ).action(
    async (
      run: string,
      options: { maxCost?: number; addCost?: number; maxTokens?: number; maxCostPerDay?: number },
      command: Command,
    ) => {
      const { agentResume } = await import('./commands/pause-commands.js');
      await agentResume({
        ...globals(command),
        ref: run,
        maxCostUsd: options.maxCost,
        addCostUsd: options.addCost,
        maxTokens: options.maxTokens,
        maxCostPerDayUsd: options.maxCostPerDay,
      });
    },
  );
  addBudgetChangeOptions(
    agent
      .command('budget')
      .description(
        "change a running or paused agent's budget without resuming it; a running one already over the new budget is paused at once",
      )
      .argument('<run>', 'run id or name'),
  )
    .addOption(
      new Option('--on-budget <action>', 'what reaching a budget does from now on').choices([
        'pause',
        'stop',
      ]),
    )
    .action(
      async (
        run: string,
        options: {
          maxCost?: number;
          addCost?: number;
          maxTokens?: number;
          maxCostPerDay?: number;
          onBudget?: 'pause' | 'stop';
        },
        command: Command,
      ) => {
        const { agentBudget } = await import('./commands/pause-commands.js');
        await agentBudget({
          ...globals(command),
          ref: run,
          maxCostUsd: options.maxCost,
          addCostUsd: options.addCost,
          maxTokens: options.maxTokens,
          maxCostPerDayUsd: options.maxCostPerDay,
          onBudget: options.onBudget,
        });
      },
    );
  agent
    .command('checkpoints')
    .description(
      "list a run's stored checkpoints (ctx.checkpoint, newest first) and its LangGraph threads' checkpoints, or print one's state with its seq",
    )
    .argument('<run>', 'run id or name')
    .argument('[seq]', 'a checkpoint seq: print its state as JSON', parsePositiveInt)
    .option(
      '--limit <n>',
      'LangGraph checkpoints listed, at most 500 (default: 100)',
      parseThreadLimit,
    )
    .option('--cursor <cursor>', 'the next page of LangGraph checkpoints (printed after a page)')
    .action(
      async (
        run: string,
        seq: number | undefined,
        options: { limit?: number; cursor?: string },
        command: Command,
      ) => {
        const { agentCheckpoints } = await import('./commands/checkpoint-commands.js');
        await agentCheckpoints({
          ...globals(command),
          ref: run,
          seq,
          limit: options.limit,
          cursor: options.cursor,
        });
      },
    );
}

/** Adds the budget-change options `resume` and `budget` share (their `agent.resume` fields). */
function addBudgetChangeOptions(command: Command): Command {
  return command
    .addOption(
      new Option('--max-cost <usd>', 'new cost limit over every attempt, USD (not with --add-cost)')
        .argParser(parseUsd)
        .conflicts('addCost'),
    )
    .addOption(
      new Option('--add-cost <usd>', 'allow this much more cost than spent so far, USD').argParser(
        parseUsd,
      ),
    )
    .option('--max-tokens <n>', 'new token limit (input + output)', parseNonNegativeInt)
    .option('--max-cost-per-day <usd>', 'new cost limit per UTC day, USD', parseUsd);
}

/** `--limit <n>` of `x agent checkpoints`: 1 to 500 (the daemon's page bound). */
function parseThreadLimit(value: string): number {
  const limit = parsePositiveInt(value);
  if (limit > 500) {
    throw new InvalidArgumentError(
      `${limit} is over the 500 checkpoints one answer holds; page with --cursor instead`,
    );
  }
  return limit;
}
