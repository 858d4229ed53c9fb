/**
 * The generated example blocks of the docs pages: their markers, how an example is rendered,
 * and how a page's block is read back (for the test that compares it with a real run). Follows
 * the message tables of @x/ipc (packages/ipc/scripts/message-tables.mjs).
 */

/** The marker lines around the block of example `id`. */
export function markers(id) {
  return {
    begin: `<!-- BEGIN GENERATED: example ${id}, by packages/cli/scripts/generate-docs-examples.mjs from a real run; do not edit by hand -->`,
    end: `<!-- END GENERATED: example ${id} -->`,
  };
}

/** The ids of every generated example block in `page`, in order. */
export function blockIds(page) {
  return [...page.matchAll(/<!-- BEGIN GENERATED: example ([\w-]+),/g)].map((match) => match[1]);
}

/**
 * Markdown for one result of runExamples, already normalised: an `x` command as the command line
 * and its JSON (with its exit code when not 0), an RPC session as `-->` / `<--` lines.
 */
export function renderExample(result) {
  if (result.lines !== undefined) {
    const lines = result.lines.flatMap(({ sent, received }) => [`--> ${sent}`, `<-- ${received}`]);
    return ['```text', ...lines, '```'].join('\n');
  }
  const exit = result.exitCode === 0 ? '' : `  # exits ${result.exitCode}`;
  return [
    '```text',
    `$ ${result.command}${exit}`,
    '```',
    '',
    '```json',
    JSON.stringify(result.json, null, 2),
    '```',
  ].join('\n');
}

/**
 * What the block of example `id` in `page` documents: `{ command, json }` for an `x` command,
 * `{ responses }` (each `<--` line, parsed) for an RPC session, or undefined when the page has
 * no such block.
 * @throws Error when the block holds JSON that does not parse.
 */
export function readBlock(page, id) {
  const block = blockText(page, id);
  if (block === undefined) {
    return undefined;
  }
  const command = /^\$ (x .*?)(?: {2}# exits \d+)?$/m.exec(block)?.[1];
  const json = /```json\n([\s\S]*?)\n```/.exec(block)?.[1];
  if (command !== undefined && json !== undefined) {
    return { command, json: JSON.parse(json) };
  }
  const responses = [...block.matchAll(/^<-- (.*)$/gm)].map((match) => JSON.parse(match[1]));
  const requests = [...block.matchAll(/^--> (.*)$/gm)].map((match) => match[1]);
  return { requests, responses };
}

function blockText(page, id) {
  const { begin, end } = markers(id);
  const from = page.indexOf(begin);
  const to = page.indexOf(end);
  return from === -1 || to < from ? undefined : page.slice(from + begin.length, to);
}

/**
 * Returns `page` with the block of example `id` replaced by `markdown`, formatted by prettier
 * with the repository's configuration for `filePath`.
 * @throws Error naming the marker lines when the page lacks them.
 */
export async function replaceBlock(page, id, markdown, filePath) {
  const { begin, end } = markers(id);
  const from = page.indexOf(begin);
  const to = page.indexOf(end);
  if (from === -1 || to === -1 || to < from) {
    throw new Error(
      `docs examples: ${filePath} must contain the lines\n${begin}\n${end}\nwhere example ${id} goes`,
    );
  }
  const prettier = await import('prettier');
  const options = (await prettier.resolveConfig(filePath)) ?? {};
  const block = await prettier.format(markdown, { ...options, parser: 'markdown' });
  return `${page.slice(0, from + begin.length)}\n\n${block}\n${page.slice(to)}`;
}
