/**
 * Renders the message reference of the docs (`apps/docs/reference/protocol.md`) from the
 * JSON Schema document, so that the tables cannot say something the schema does not.
 */
import { defName } from './schema-document.mjs';

/** Markers around the generated part of the docs page. */
export const BEGIN_MARKER =
  '<!-- BEGIN GENERATED: message tables, by packages/ipc/scripts/generate-schema.mjs from the protocol schema; do not edit by hand -->';
export const END_MARKER = '<!-- END GENERATED: message tables -->';

/** The docs page holding the generated tables, relative to the repository root. */
export const DOCS_PAGE = 'apps/docs/reference/protocol.md';

const ARROWS = {
  SupervisorMessage: 'supervisor → runner',
  RunnerMessage: 'runner → supervisor',
};

/**
 * Markdown for every message: an index table, then one section per message with a table of
 * its fields (nested object fields as `parent.child` rows). Unformatted: run it through
 * prettier, as {@link replaceGenerated} does.
 */
export function renderMessageTables(document) {
  const messages = [];
  for (const union of ['SupervisorMessage', 'RunnerMessage']) {
    const types = document.$defs[union].oneOf.map(
      (ref) => document.$defs[ref.$ref.slice('#/$defs/'.length)].properties.type.const,
    );
    for (const type of types) {
      messages.push({ type, direction: ARROWS[union], schema: document.$defs[defName(type)] });
    }
  }
  const lines = [
    '| type | direction | purpose |',
    '| --- | --- | --- |',
    ...messages.map(
      ({ type, direction, schema }) =>
        `| [\`${type}\`](#${type.replaceAll('_', '-')}) | ${direction} | ${cell(schema.description)} |`,
    ),
    '',
  ];
  for (const { type, direction, schema } of messages) {
    lines.push(
      `### ${type}`,
      '',
      `${schema.description} (${direction}; \`$defs.${defName(type)}\`)`,
      '',
    );
    lines.push(
      '| field | type | unit | required | constraints | description |',
      '| --- | --- | --- | --- | --- | --- |',
    );
    for (const row of fieldRows(schema, '')) {
      lines.push(
        `| \`${row.name}\` | ${row.type} | ${row.unit} | ${row.required} | ${row.constraints} | ${cell(row.description)} |`,
      );
    }
    lines.push('');
  }
  return lines.join('\n');
}

function fieldRows(schema, prefix) {
  const required = new Set(schema.required ?? []);
  const rows = [];
  for (const [name, field] of Object.entries(schema.properties ?? {})) {
    rows.push({
      name: prefix + name,
      type: typeOf(field),
      unit: unitOf(name),
      required: required.has(name) ? 'yes' : 'no',
      constraints: constraintsOf(field),
      description: field.description ?? '',
    });
    if (field.type === 'object' && field.properties !== undefined) {
      rows.push(...fieldRows(field, `${prefix}${name}.`));
    }
    const values = recordValues(field);
    if (values !== undefined) {
      rows.push(...fieldRows(values, `${prefix}${name}.<key>.`));
    }
  }
  return rows;
}

/** The object schema of a record's values (`Type.Record(key, Type.Object(…))`), if they are objects. */
function recordValues(field) {
  const values = Object.values(field.patternProperties ?? {});
  return values.length === 1 && values[0].type === 'object' && values[0].properties !== undefined
    ? values[0]
    : undefined;
}

function typeOf(field) {
  if (field.const !== undefined) {
    return `\`${JSON.stringify(field.const)}\``;
  }
  if (field.anyOf !== undefined) {
    return field.anyOf.map(typeOf).join(' \\| ');
  }
  if (field.type === undefined) {
    return 'any JSON value';
  }
  return field.type;
}

/** The unit a field's name implies, by the conventions of the schema's header. */
function unitOf(name) {
  if (name.endsWith('Ms')) {
    return 'ms';
  }
  if (name.endsWith('At') || name === 'at') {
    return 'ms since the Unix epoch';
  }
  if (name.endsWith('Bytes')) {
    return 'bytes';
  }
  if (name.endsWith('UsdPerMTok')) {
    return 'US dollars per million tokens';
  }
  if (name.endsWith('Usd')) {
    return 'US dollars';
  }
  return '';
}

function constraintsOf(field) {
  const parts = [];
  if (field.minimum !== undefined && field.maximum !== undefined) {
    parts.push(`${number(field.minimum)}–${number(field.maximum)}`);
  } else if (field.minimum !== undefined) {
    parts.push(`≥ ${number(field.minimum)}`);
  } else if (field.maximum !== undefined) {
    parts.push(`≤ ${number(field.maximum)}`);
  }
  if (field.minLength !== undefined && field.maxLength !== undefined) {
    parts.push(`length ${number(field.minLength)}–${number(field.maxLength)}`);
  } else if (field.minLength !== undefined) {
    parts.push(`length ≥ ${number(field.minLength)}`);
  } else if (field.maxLength !== undefined) {
    parts.push(`length ≤ ${number(field.maxLength)}`);
  }
  if (field.maxProperties !== undefined) {
    parts.push(`at most ${number(field.maxProperties)} keys`);
  }
  if (field.patternProperties !== undefined) {
    parts.push(
      recordValues(field) === undefined ? 'string keys, any JSON values' : 'string keys, objects',
    );
  }
  return parts.join(', ');
}

/** 65536 → `65 536`: thousands grouped from 10 000 on, as in the rest of the docs. */
function number(value) {
  return value >= 10_000 ? String(value).replace(/\B(?=(\d{3})+(?!\d))/g, ' ') : String(value);
}

function cell(text) {
  return text.replaceAll('|', '\\|').replaceAll('\n', ' ');
}

/**
 * Returns `page` with the text between the markers replaced by `generated`, formatted by
 * prettier with the repository's configuration for `filePath`.
 * @throws Error when the page lacks the markers.
 */
export async function replaceGenerated(page, generated, filePath) {
  const begin = page.indexOf(BEGIN_MARKER);
  const end = page.indexOf(END_MARKER);
  if (begin === -1 || end === -1 || end < begin) {
    throw new Error(
      `@x/ipc schema: ${filePath} must contain the lines\n${BEGIN_MARKER}\n${END_MARKER}\naround the message tables`,
    );
  }
  const prettier = await import('prettier');
  const options = (await prettier.resolveConfig(filePath)) ?? {};
  const block = await prettier.format(generated, { ...options, parser: 'markdown' });
  return `${page.slice(0, begin + BEGIN_MARKER.length)}\n\n${block}\n${page.slice(end)}`;
}
