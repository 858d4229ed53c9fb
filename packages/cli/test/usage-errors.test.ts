import { afterAll, describe, expect, it } from 'vitest';
import { tempHome, x, xJson } from './helpers.js';

// No daemon: every case here is refused on the command line, before any connection.
describe('usage errors: one error line and one hint, exit 2', () => {
  const home = tempHome();
  afterAll(() => home.remove());

  const lines = (text: string) => text.trimEnd().split('\n');

  it('a bad --param prints its error and `run x agent start --help`, not the whole help', async () => {
    const result = await x(home.path, ['agent', 'start', 'a.mjs', '--param', 'nokey']);
    expect(result.code).toBe(2);
    expect(lines(result.stderr)).toEqual([
      `error: option '--param <key=value>' argument 'nokey' is invalid. expected key=value, got "nokey"`,
      'run `x agent start --help` for usage',
    ]);
  });

  it('an unknown subcommand hints at its parent’s help; an error raised by an action too', async () => {
    const unknown = await x(home.path, ['agent', 'bogus']);
    expect(unknown.code).toBe(2);
    expect(lines(unknown.stderr).at(-1)).toBe('run `x agent --help` for usage');
    expect(unknown.stderr).not.toMatch(/Options:|Commands:/);
    const both = await x(home.path, ['agent', 'start', 'a.mjs', '--command', 'bash x.sh']);
    expect(both.code).toBe(2);
    expect(lines(both.stderr)).toEqual([
      `x: agent start: give an agent module or --command '<program and args>', not both (got the module a.mjs and --command "bash x.sh")`,
      'run `x agent start --help` for usage',
    ]);
    const json = await xJson<{ error: { exitCode: number; hint: string } }>(home.path, [
      'agent',
      'stop',
    ]);
    expect(json.error).toMatchObject({ exitCode: 2, hint: 'run `x agent stop --help` for usage' });
  });

  it('--auto-approve swallowing the module says so and how to write it (=, --, module first)', async () => {
    const result = await x(home.path, ['agent', 'start', '--auto-approve', 'fs.delete', 'mod.mjs']);
    expect(result.code).toBe(2);
    expect(result.stderr).not.toContain('not both');
    expect(result.stderr).toContain(
      'no agent module: --auto-approve takes every word after it up to the next option, so it took fs.delete mod.mjs as tool name(s)',
    );
    expect(result.stderr).toContain('`x agent start --auto-approve=fs.delete mod.mjs`');
    expect(result.stderr).toContain('`x agent start --auto-approve fs.delete -- mod.mjs`');
    expect(result.stderr).toContain('`x agent start mod.mjs --auto-approve fs.delete`');
    const alone = await x(home.path, ['agent', 'start', '--auto-approve', 'mod.mjs']);
    expect(alone.stderr).toContain('`x agent start --auto-approve -- mod.mjs` (every tool)');
  });

  it('a --param number JSON cannot hold exactly is refused, naming the param and how to pass a string', async () => {
    const big = await x(home.path, [
      'agent',
      'start',
      'a.mjs',
      '--param',
      'big=12345678901234567890',
    ]);
    expect(big.code).toBe(2);
    expect(big.stderr).toContain(
      'param big: the number 12345678901234567890 cannot be passed exactly (a JSON number is an IEEE-754 double: it would arrive as 12345678901234567000)',
    );
    expect(big.stderr).toContain(`--param 'big="12345678901234567890"'`);
    const decimal = await x(home.path, [
      'agent',
      'start',
      'a.mjs',
      '--param',
      'p=0.30000000000000001',
    ]);
    expect(decimal.code).toBe(2);
    expect(decimal.stderr).toContain('it would arrive as 0.3');
    // What the fix says is accepted (exit 69: it got as far as connecting).
    const quoted = await x(home.path, [
      'agent',
      'start',
      'a.mjs',
      '--param',
      'big="12345678901234567890"',
    ]);
    expect(quoted.code).toBe(69);
  });

  it('--params: an unsafe integer anywhere in the JSON is refused with its path', async () => {
    const result = await x(home.path, [
      'agent',
      'start',
      'a.mjs',
      '--params',
      '{"ok":"12345678901234567890","a":{"ids":[1,9007199254740993]}}',
    ]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(
      'param a.ids[1]: the number 9007199254740993 cannot be passed exactly',
    );
    expect(result.stderr).toContain('quote it in the JSON: "9007199254740993"');
  });

  it('agent send: an input number that would change is refused too', async () => {
    const result = await x(home.path, ['agent', 'send', 'r', '{"id":12345678901234567890}']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(
      'input id: the number 12345678901234567890 cannot be passed exactly',
    );
  });

  it('--max-memory below 64 MiB is refused, saying what an empty runner needs', async () => {
    for (const command of [
      ['agent', 'start', 'a.mjs'],
      ['service', 'start', '--name', 'web', '--', 'true'],
    ]) {
      const args = [...command];
      args.splice(command[0] === 'agent' ? 3 : 4, 0, '--max-memory', '32');
      const result = await x(home.path, args);
      expect(result.code, result.stderr).toBe(2);
      expect(result.stderr).toContain('32 MiB is below the minimum of 64 MiB');
      expect(result.stderr).toContain('about 44 MiB');
      expect(result.stderr).toContain('the whole process group');
    }
    expect((await x(home.path, ['agent', 'start', 'a.mjs', '--max-memory', '64'])).code).toBe(69);
  });

  it.each([
    [['agent', 'start', 'a.mjs', '--max-cost', '-1'], 'a budget cannot be negative'],
    [['agent', 'start', 'a.mjs', '--max-cost', 'NaN'], 'got "NaN"'],
    [['agent', 'start', 'a.mjs', '--max-cost-per-day', '0x10'], 'got "0x10"'],
    [['agent', 'start', 'a.mjs', '--max-tokens', '-5'], 'expected a non-negative integer'],
    [['agent', 'start', 'a.mjs', '--on-budget', 'halt'], 'Allowed choices are pause, stop'],
    [
      ['agent', 'start', 'a.mjs', '--checkpoint-max-bytes', '5000000'],
      'over the most a checkpoint may hold, 4194304',
    ],
    [['agent', 'start', 'a.mjs', '--from', 'counter@0'], 'seq after @ must be a positive integer'],
    [['agent', 'resume', 'r', '--add-cost', '-0.5'], 'a budget cannot be negative'],
    [['agent', 'resume', 'r', '--max-cost', '1', '--add-cost', '2'], 'cannot be used with option'],
    [['agent', 'checkpoints', 'r', 'newest'], 'expected a non-negative integer'],
    [['daemon', 'start', '--max-cost-per-day', '-3'], 'a budget cannot be negative'],
  ])('budget options: %j is refused (%s), before any daemon is asked', async (args, message) => {
    const result = await x(home.path, args);
    expect(result.code, result.stderr).toBe(2);
    expect(lines(result.stderr)[0]).toContain(message);
    expect(lines(result.stderr)[1]).toMatch(/^run `x (agent|daemon) \w+ --help` for usage$/);
  });
});
