// Types of message-checks.mjs, for the tests that import it.
export declare const CHECKS_PATH: string;
export declare const REGENERATE_CHECKS: string;
export declare function renderMessageChecks(schema: object, filePath: string): Promise<string>;
