// Types of message-tables.mjs, for the tests that import it.
import type { SchemaDocument } from './schema-document.mjs';
export declare const BEGIN_MARKER: string;
export declare const END_MARKER: string;
export declare const DOCS_PAGE: string;
export declare function renderMessageTables(document: SchemaDocument): string;
export declare function replaceGenerated(
  page: string,
  generated: string,
  filePath: string,
): Promise<string>;
