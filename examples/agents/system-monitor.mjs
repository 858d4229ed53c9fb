// Samples this machine each iteration: load average, free memory, and the free space of a
// filesystem; warns when a threshold is crossed.
//   x agent start examples/agents/system-monitor.mjs --name sysmon --param path=/ --param minFreeDiskPct=10
import { statfs } from 'node:fs/promises';
import { cpus, freemem, loadavg, totalmem } from 'node:os';
import { defineAgent } from '@x/kernel';

export default defineAgent({
  async step(ctx) {
    const path = String(ctx.params.path ?? '/');
    const fs = await statfs(path);
    const freeDiskPct = (100 * fs.bavail) / fs.blocks;
    const freeMemPct = (100 * freemem()) / totalmem();
    const [load1] = loadavg();
    const perCore = load1 / cpus().length;
    const minFreeDiskPct = Number(ctx.params.minFreeDiskPct ?? 10);
    if (freeDiskPct < minFreeDiskPct) {
      ctx.log(
        'warn',
        `${path}: only ${freeDiskPct.toFixed(1)}% free (threshold ${minFreeDiskPct}%)`,
      );
    }
    if (perCore > Number(ctx.params.maxLoadPerCore ?? 2)) {
      ctx.log('warn', `load ${load1.toFixed(2)} on ${cpus().length} cores`);
    }
    ctx.notify({ load1, freeMemPct, freeDiskPct });
    return {
      summary: `load ${load1.toFixed(2)}, mem free ${freeMemPct.toFixed(0)}%, ${path} free ${freeDiskPct.toFixed(1)}%`,
    };
  },
});
