#!/usr/bin/env node
// Shim: all logic lives in the packages. `x runner --pipe` is started once per runner, so it
// goes straight to the kernel without loading the command parser; everything else goes
// through @x/cli/main, which imports each command's module only when it runs.
if (process.argv.length === 4 && process.argv[2] === 'runner' && process.argv[3] === '--pipe') {
  const { runPipe } = await import('@x/kernel');
  await runPipe();
} else {
  const { main } = await import('@x/cli/main');
  await main(process.argv);
}
