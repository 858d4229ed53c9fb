import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { TypeCompiler } from '@sinclair/typebox/compiler';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  CHECKS_PATH,
  REGENERATE_CHECKS,
  renderMessageChecks,
} from '../../scripts/message-checks.mjs';
import { compileValidator } from './compile-validator.js';
import { RUNNER_MESSAGE_CHECKS, SUPERVISOR_MESSAGE_CHECKS } from './message-checks.js';
import * as schema from './schema.js';
import { validateRunnerMessage, validateSupervisorMessage } from './validate.js';

const packageFile = (path: string) => fileURLToPath(new URL(`../../${path}`, import.meta.url));
const readVectors = <T>(file: string) =>
  (JSON.parse(readFileSync(packageFile(`test-vectors/${file}`), 'utf8')) as { vectors: T[] })
    .vectors;
const valid = readVectors<{ direction: string; message: Record<string, unknown> }>('valid.json');
const invalid = readVectors<{ direction: string; value: unknown }>('invalid-messages.json');
const MESSAGE_CHECKS = { ...SUPERVISOR_MESSAGE_CHECKS, ...RUNNER_MESSAGE_CHECKS };
const validators = {
  supervisor_to_runner: validateSupervisorMessage,
  runner_to_supervisor: validateRunnerMessage,
} as Record<string, (value: unknown) => unknown>;

/** What `compileValidator` says about `value` as a message of `type`: the reference. */
const reference = Object.fromEntries(
  Object.entries(schema.MESSAGE_SCHEMAS).map(([type, s]) => [
    type,
    { check: TypeCompiler.Compile(s), validate: compileValidator(s) },
  ]),
);

describe('src/protocol/message-checks.ts', () => {
  it('is exactly what scripts/generate-checks.mjs writes from src/protocol/schema.ts', async () => {
    const file = packageFile(CHECKS_PATH);
    expect(
      readFileSync(file, 'utf8'),
      `${CHECKS_PATH} is stale; run \`${REGENERATE_CHECKS}\``,
    ).toBe(await renderMessageChecks(schema, file));
  });

  it('has a check for every message, and the direction lists of the schema unions', () => {
    expect(Object.keys(MESSAGE_CHECKS).sort()).toEqual(Object.keys(schema.MESSAGE_SCHEMAS).sort());
    expect(Object.keys(SUPERVISOR_MESSAGE_CHECKS)).toEqual(
      schema.SupervisorMessage.anyOf.map((s) => s.properties.type.const),
    );
    expect(Object.keys(RUNNER_MESSAGE_CHECKS)).toEqual(
      schema.RunnerMessage.anyOf.map((s) => s.properties.type.const),
    );
  });

  it('every valid test vector passes its generated check', () => {
    for (const { message } of valid) {
      expect(MESSAGE_CHECKS[message.type as string].check(message), JSON.stringify(message)).toBe(
        true,
      );
    }
  });

  it('on every invalid test vector the validators give the path and message TypeBox gives', () => {
    for (const { direction, value } of invalid) {
      const type = (value as { type?: unknown } | null)?.type;
      const result = validators[direction](value) as { ok: boolean; unknownType?: true };
      expect(result.ok, JSON.stringify(value)).toBe(false);
      if (typeof type === 'string' && result.unknownType === undefined) {
        expect(result, JSON.stringify(value)).toEqual(reference[type].validate(value));
      }
    }
  });

  it('a valid message with one field replaced or removed: generated check and TypeBox agree (property)', () => {
    const messages = valid.map((vector) => vector.message);
    fc.assert(
      fc.property(
        fc.constantFrom(...messages),
        fc.option(fc.string({ maxLength: 12 }), { nil: undefined }),
        fc.oneof(fc.anything(), fc.constant(undefined), fc.integer(), fc.string()),
        fc.nat(),
        (message, extraKey, replacement, pick) => {
          const type = message.type as string;
          // Never `type`: a changed type is another message (or an unknown one).
          const keys = [...Object.keys(message), extraKey ?? 'type'].filter((k) => k !== 'type');
          const key = keys[pick % keys.length];
          const mutated: Record<string, unknown> = { ...message };
          if (pick % 3 === 0) {
            delete mutated[key];
          } else {
            mutated[key] = replacement;
          }
          const expected = reference[type].check.Check(mutated);
          expect(MESSAGE_CHECKS[type].check(mutated)).toBe(expected);
          const direction = Object.hasOwn(SUPERVISOR_MESSAGE_CHECKS, type)
            ? 'supervisor_to_runner'
            : 'runner_to_supervisor';
          expect(validators[direction](mutated)).toEqual(
            expected ? { ok: true, value: mutated } : reference[type].validate(mutated),
          );
        },
      ),
      { numRuns: 2000 },
    );
  });
});
