/** Types of docs-examples.mjs (see there). */
export declare const REPO_ROOT: string;
export declare const AGENT: string;
export declare const CLI_PAGE: string;
export declare const CONTROL_API_PAGE: string;

export interface DocsExample {
  id: string;
  x?: string[];
  rpc?: (string | { method: string; params?: unknown })[];
  /** Polls `x agent status docs --json` until this holds for its parsed output. */
  wait?: (status: { run: { iterations: number }; pendingPermissions: unknown[] }) => boolean;
  page?: string;
  types?: Record<string, string>;
}
export declare const EXAMPLES: DocsExample[];

export type ExampleResult =
  | { id: string; command: string; exitCode: number; json: unknown; lines?: undefined }
  | { id: string; lines: { sent: string; received: string }[] };

export declare function runExamples(
  examples?: DocsExample[],
): Promise<{ home: string; startedAt: number; results: ExampleResult[] }>;
