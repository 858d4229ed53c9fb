/**
 * Exit codes of the `x` command. Where a convention exists it is sysexits.h.
 */
export const EXIT_CODES = {
  OK: 0,
  /** The operation failed (agent did not start, run not found, …). */
  FAILURE: 1,
  /** Bad command line (commander). */
  USAGE: 2,
  /** `x daemon status`: the daemon is not running (as LSB init scripts' `status`). */
  NOT_RUNNING: 3,
  /**
   * `x agent send --wait --timeout <ms>`: the turn had not ended when the wait timed out (it
   * keeps running): 124, as GNU coreutils `timeout(1)`.
   */
  TIMEOUT: 124,
  /** No daemon answers for this state directory: 69 = EX_UNAVAILABLE, sysexits.h. */
  UNAVAILABLE: 69,
  /** A bug in x: 70 = EX_SOFTWARE, sysexits.h. */
  SOFTWARE: 70,
  /** The agent's configuration is invalid (its runner exited 78): 78 = EX_CONFIG, sysexits.h. */
  CONFIG: 78,
} as const;
