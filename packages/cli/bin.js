#!/usr/bin/env node
// Shim: all logic lives in the package. The runner path is kept lean (see main.ts).
import { main } from '@x/cli';

await main(process.argv);
