#!/usr/bin/env node
// Shim: all logic lives in the packages. `x runner --pipe` is started once per runner, so it
// goes straight to the kernel without loading the command parser; everything else goes
// through @x/cli/main (bundled: dist/cli.mjs), which imports each command's module only when
// it runs.
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
  // Node 22.1+ keeps compiled code between runs (Node 20 has no such cache: then a no-op).
  const { default: nodeModule } = await import('node:module');
  if (typeof nodeModule.enableCompileCache === 'function') {
    nodeModule.enableCompileCache();
  }
  // dist/cli.mjs is @x/cli/main bundled with the workspace code it needs (scripts/build-cli.mjs):
  // a client command loads a few files instead of ~70. Unbuilt: the modules themselves.
  const bundle = new URL('./dist/cli.mjs', import.meta.url);
  const { main } = await import(bundle.href).catch((error) =>
    error?.code === 'ERR_MODULE_NOT_FOUND' && error.url === bundle.href
      ? import('@x/cli/main')
      : Promise.reject(error),
  );
  await main(process.argv);
}
