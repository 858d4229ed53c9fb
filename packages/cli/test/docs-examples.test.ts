import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { blockIds, readBlock } from '../scripts/docs-example-blocks.mjs';
import {
  CLI_PAGE,
  CONTROL_API_PAGE,
  EXAMPLES,
  REPO_ROOT,
  runExamples,
  type ExampleResult,
} from '../scripts/docs-examples.mjs';
import {
  createNormaliser,
  interfaceDifferences,
  interfaceFields,
  shapeDifferences,
} from '../scripts/json-shape.mjs';

const regenerate =
  'if x changed on purpose, run `pnpm --filter @x/cli build && pnpm --filter @x/cli docs:examples` (and update the Shapes of the CLI reference)';
const read = (page: string) => readFileSync(`${REPO_ROOT}${page}`, 'utf8');
const PAGES = [CLI_PAGE, CONTROL_API_PAGE];

describe('shapeDifferences and interfaceFields (what the docs test compares)', () => {
  it.each([
    ['same keys, other values', { a: 1, b: ['x'] }, { a: 2, b: ['y', 'z'] }, []],
    ['a key the docs lack', { a: 1 }, { a: 1, b: 2 }, ['b: in the output, not in the docs']],
    [
      'a key the output lacks',
      { a: 1, c: { d: 1 } },
      { a: 1 },
      ['c: in the docs, not in the output'],
    ],
    [
      'another type, nested',
      { a: { b: 'x' } },
      { a: { b: 3 } },
      ['a.b: documented as string, is number'],
    ],
    ['null matches anything', { a: null, b: 1 }, { a: { c: 1 }, b: null }, []],
    ['arrays element by element', [{ a: 1 }], [{ a: 1 }, { b: 1 }], []],
    [
      'an array element that differs',
      [{ a: 1 }],
      [{ b: 1 }],
      ['[0].b: in the output, not in the docs', '[0].a: in the docs, not in the output'],
    ],
  ])('%s', (_, documented, real, expected) => {
    expect(shapeDifferences(documented, real)).toEqual(expected);
  });

  it('reads the fields of an interface, nested braces and inherited fields included', () => {
    const page = [
      '```ts',
      'interface Base {',
      '  id: string; // { not a field }',
      '}',
      'interface Thing extends Base {',
      '  a: number;',
      '  b?: { c: string; d: number } | null;',
      '  e: {',
      '    f: string;',
      '  }[];',
      '}',
      '```',
    ].join('\n');
    const fields = interfaceFields(page, 'Thing')!;
    expect([...fields.required].sort()).toEqual(['a', 'e', 'id']);
    expect([...fields.optional]).toEqual(['b']);
    expect(interfaceDifferences(page, 'Thing', { x: { id: '1', a: 1, g: 2 } }, 'x')).toEqual([
      'x.g: in the output, not in interface Thing',
      'x: lacks e, required by interface Thing',
    ]);
  });
});

describe('the generated examples of the CLI and control-API references, against a real run', () => {
  let results: Map<string, ExampleResult>;
  let normaliser: ReturnType<typeof createNormaliser>;
  beforeAll(async () => {
    const run = await runExamples();
    results = new Map(run.results.map((result) => [result.id, result]));
    normaliser = createNormaliser({
      home: run.home,
      repoRoot: REPO_ROOT,
      startedAt: run.startedAt,
    });
  }, 180_000);

  it('every example block of the pages is written by an example, and every example has its block', () => {
    for (const page of PAGES) {
      for (const id of blockIds(read(page))) {
        expect(
          EXAMPLES.find((example) => example.id === id)?.page,
          `${page} has a block for example ${id}, which no entry of EXAMPLES writes there`,
        ).toBe(page);
      }
    }
    for (const example of EXAMPLES.filter((entry) => entry.page !== undefined)) {
      expect(
        blockIds(read(example.page!)),
        `${example.page} lacks the markers of example ${example.id}; ${regenerate}`,
      ).toContain(example.id);
    }
  });

  it.each(
    EXAMPLES.filter((example) => example.page !== undefined).map((example) => [
      example.id,
      example,
    ]),
  )('%s: the documented example has the shape of the real output', (id, example) => {
    const documented = readBlock(read(example.page!), id)!;
    const real = results.get(id)!;
    if (real.lines === undefined) {
      expect(documented.command, `the command of example ${id}; ${regenerate}`).toBe(
        normaliser.text(real.command),
      );
      expect(
        shapeDifferences(documented.json, normaliser.json(real.json)),
        `example ${id} in ${example.page} and \`${real.command}\` differ; ${regenerate}`,
      ).toEqual([]);
      return;
    }
    expect(documented.requests, `the requests of example ${id}; ${regenerate}`).toEqual(
      real.lines.map(({ sent }) => normaliser.line(sent)),
    );
    const differences = real.lines.flatMap(({ sent, received }, i) =>
      shapeDifferences(documented.responses![i], JSON.parse(received)).map(
        (difference) => `answer to ${sent.slice(0, 80)}: ${difference}`,
      ),
    );
    expect(
      differences,
      `example ${id} in ${example.page} and the real session differ; ${regenerate}`,
    ).toEqual([]);
  });

  it.each(
    EXAMPLES.filter((example) => example.types !== undefined).map((example) => [
      example.id,
      example,
    ]),
  )('%s: the real output has the fields of the Shapes of the CLI reference', (id, example) => {
    const page = read(CLI_PAGE);
    const real = results.get(id)!;
    const json = real.lines === undefined ? real.json : undefined;
    const differences = Object.entries(example.types!).flatMap(([path, name]) =>
      interfaceDifferences(page, name, json, path),
    );
    expect(
      differences,
      `\`${id}\` and the Shapes of ${CLI_PAGE} differ; update the interfaces`,
    ).toEqual([]);
  });
});
