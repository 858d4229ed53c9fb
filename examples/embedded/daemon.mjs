// The x daemon inside your own program: startDaemon with a launcher that runs agent modules in
// the kernel's pipe runner. It serves the same control socket as `x daemon start`, so `x` (with
// --home) and any JSON-RPC client can talk to it while it runs.
//   node daemon.mjs [state-dir]
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createSubprocessLauncher, startDaemon } from '@x/daemon';
import { connectRpc } from '@x/ipc/node';

const here = (file) => fileURLToPath(new URL(file, import.meta.url));
const home = process.argv[2] ?? mkdtempSync(join(tmpdir(), 'x-embedded-'));
const ownHome = process.argv[2] === undefined;

const daemon = await startDaemon({
  home,
  launcher: createSubprocessLauncher({ command: process.execPath, args: [here('runner.mjs')] }),
  handleSignals: true, // Ctrl-C stops every run, then exits 0
});
console.log(`daemon ${daemon.descriptor.pid} serving ${daemon.paths.socketPath}`);

// In-process: the supervisor. Resolves once the run is ready (its setup done).
const started = await daemon.supervisor.start({
  module: here('counter-agent.mjs'),
  name: 'counter',
  params: { to: 3 },
  intervalMs: 100,
});
console.log(`started ${started.name}: ${started.state}`);

// Over the socket, as any client would: what `x agent status counter` asks.
const client = await connectRpc(daemon.paths.socketPath, { timeoutMs: 5000 });
let status;
do {
  await new Promise((resolve) => setTimeout(resolve, 100));
  status = await client.request('agent.status', { ref: 'counter' });
} while (status.run.state !== 'exited');
client.close();
console.log(`${status.run.name}: ${status.run.exit.explanation}; last: ${status.run.lastSummary}`);

await daemon.shutdown(); // stops every run (3 phases), closes the socket and the database
console.log('daemon stopped');
if (ownHome) {
  rmSync(home, { recursive: true, force: true }); // a state dir given on the command line is kept
}
