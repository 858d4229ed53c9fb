// The runner the daemon of daemon.mjs launches for each agent module: the kernel's pipe runner
// (what `x runner --pipe` runs), speaking runner protocol v1 on fd 3.
import { runPipe } from '@x/kernel/pipe';

await runPipe();
