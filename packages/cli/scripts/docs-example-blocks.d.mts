/** Types of docs-example-blocks.mjs (see there). */
export declare function markers(id: string): { begin: string; end: string };
export declare function blockIds(page: string): string[];
export declare function renderExample(result: unknown): string;
export declare function readBlock(
  page: string,
  id: string,
):
  | { command: string; json: unknown; requests?: undefined; responses?: undefined }
  | { requests: string[]; responses: unknown[]; command?: undefined; json?: undefined }
  | undefined;
export declare function replaceBlock(
  page: string,
  id: string,
  markdown: string,
  filePath: string,
): Promise<string>;
