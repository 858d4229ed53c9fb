/**
 * `x agent list | head -1`: a closed stdout is not an error. Ends the process with the exit
 * code it has so far when a write to stdout fails with EPIPE.
 */
export function exitQuietlyOnClosedStdout(): void {
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') {
      process.exit(process.exitCode ?? 0);
    }
  });
}
