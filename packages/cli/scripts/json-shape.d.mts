/** Types of json-shape.mjs (see there). */
export declare const NORMAL_EPOCH_MS: number;
export declare function createNormaliser(run: {
  home: string;
  repoRoot: string;
  startedAt: number;
}): { json(value: unknown): unknown; text(value: string): string; line(value: string): string };
export declare function shapeDifferences(
  documented: unknown,
  real: unknown,
  path?: string,
): string[];
export declare function interfaceFields(
  page: string,
  name: string,
): { required: Set<string>; optional: Set<string> } | undefined;
export declare function interfaceDifferences(
  page: string,
  name: string,
  value: unknown,
  path: string,
): string[];
