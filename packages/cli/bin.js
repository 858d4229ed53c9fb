#!/usr/bin/env node
// Shim: all logic lives in the packages. `x runner --pipe` is started once per runner, so it
// goes straight to the kernel without loading the command parser; every other command line
// goes to bin.cjs (the package's `x` bin: the client commands' fast path, else @x/cli/main).
if (process.argv.length === 4 && process.argv[2] === 'runner' && process.argv[3] === '--pipe') {
  // dist/runner.mjs is @x/kernel/pipe bundled into one file (scripts/build-runner.mjs): one
  // module to load instead of a few dozen, which is most of a runner's start-up. A checkout
  // that has not been built has no bundle and loads the kernel's modules.
  const bundle = new URL('./dist/runner.mjs', import.meta.url);
  const { runPipe } = await import(bundle.href).catch((error) =>
    error?.code === 'ERR_MODULE_NOT_FOUND' && error.url === bundle.href
      ? import('@x/kernel/pipe')
      : Promise.reject(error),
  );
  await runPipe();
} else {
  const { createRequire } = await import('node:module');
  createRequire(import.meta.url)('./bin.cjs');
}
