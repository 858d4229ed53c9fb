#!/usr/bin/env node
// Shim: all logic lives in the package. `@x/cli/main` loads only commander and the command
// table; each command imports what it needs, so `x runner --pipe` loads the kernel alone.
import { main } from '@x/cli/main';

await main(process.argv);
