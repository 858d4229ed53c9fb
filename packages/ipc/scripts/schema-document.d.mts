// Types of schema-document.mjs, for the tests that import it.
export declare const SCHEMA_DIALECT: string;
export declare const SCHEMA_PATH: string;
export declare const DIRECTIONS: {
  readonly supervisor_to_runner: 'SupervisorMessage';
  readonly runner_to_supervisor: 'RunnerMessage';
};
export type SchemaDocument = Record<string, unknown> & {
  $defs: Record<string, Record<string, unknown>>;
};
export declare function defName(type: string): string;
export declare function messageTypes(union: {
  anyOf: readonly { properties: { type: { const: string } } }[];
}): string[];
export declare function buildSchemaDocument(ipc: object): SchemaDocument;
export declare function renderSchemaFile(
  document: SchemaDocument,
  filePath: string,
): Promise<string>;
