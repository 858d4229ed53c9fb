import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CliError } from '../errors.js';
import { readFleet } from './fleet.js';

describe('readFleet: durable-agent fields (budget, checkpointMaxBytes, from)', () => {
  let dir: string;
  let file: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'x-fleet-'));
    file = join(dir, 'x.config.json');
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const read = (agent: Record<string, unknown>) => {
    writeFileSync(file, JSON.stringify({ agents: [{ name: 'a', module: 'a.mjs', ...agent }] }));
    return readFleet(file, {});
  };
  const refusal = (agent: Record<string, unknown>): CliError => {
    try {
      read(agent);
    } catch (error) {
      return error as CliError;
    }
    throw new Error('readFleet accepted it');
  };

  it('passes them on as agent.start params', () => {
    const [entry] = read({
      budget: { maxCostUsd: 1.5, maxTokens: 10000, maxCostPerDayUsd: 5, onBudget: 'stop' },
      checkpointMaxBytes: 65536,
      from: { runId: 'counter', seq: 3 },
    });
    expect(entry).toMatchObject({
      budget: { maxCostUsd: 1.5, maxTokens: 10000, maxCostPerDayUsd: 5, onBudget: 'stop' },
      checkpointMaxBytes: 65536,
      from: { runId: 'counter', seq: 3 },
    });
  });

  it.each([
    [{ budget: { maxCostUsd: -1 } }, '/budget/maxCostUsd'],
    [{ budget: { maxTokens: 1.5 } }, '/budget/maxTokens'],
    [{ budget: { onBudget: 'halt' } }, '/budget/onBudget'],
    [{ checkpointMaxBytes: 8 * 1024 * 1024 }, '/checkpointMaxBytes'],
    [{ from: { runId: 'counter', seq: 0 } }, '/from/seq'],
  ])('%j is refused with exit 78, naming the field', (agent, field) => {
    const error = refusal(agent);
    expect(error).toBeInstanceOf(CliError);
    expect(error.exitCode).toBe(78);
    expect(error.message).toContain(`agents[0]: field ${field}`);
  });
});
