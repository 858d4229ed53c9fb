import { spawn } from 'node:child_process';
import { execa } from 'execa';
const N = 20;
const code = `require('node:fs').writeSync(3, 'r\\n')`;
function viaSpawn() {
  const t0 = performance.now();
  const child = spawn(process.execPath, ['-e', code], { stdio: ['ignore', 'pipe', 'pipe', 'pipe'], detached: true, env: { ...process.env, X_IPC_CODEC: 'jsonl' } });
  const call = performance.now() - t0;
  return new Promise((res) => { child.stdio[3].once('data', () => res({ call, first: performance.now() - t0 })); child.stdout.resume(); child.stderr.resume(); });
}
function viaExeca() {
  const t0 = performance.now();
  const child = execa(process.execPath, ['-e', code], { env: { X_IPC_CODEC: 'jsonl' }, extendEnv: true, stdio: ['ignore', 'pipe', 'pipe', 'pipe'], buffer: false, reject: false, detached: true, cleanup: false, stripFinalNewline: false });
  const call = performance.now() - t0;
  return new Promise((res) => { child.stdio[3].once('data', () => res({ call, first: performance.now() - t0 })); child.stdout.resume(); child.stderr.resume(); });
}
const r = { spawn: [], execa: [] };
for (let i = 0; i < N + 3; i++) { const a = await viaSpawn(); const b = await viaExeca(); if (i >= 3) { r.spawn.push(a); r.execa.push(b); } await new Promise((x) => setTimeout(x, 30)); }
const p50 = (xs) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)];
for (const k of ['spawn', 'execa']) console.log(k, 'call p50', p50(r[k].map((x) => x.call)).toFixed(2), 'ms; spawn→first byte p50', p50(r[k].map((x) => x.first)).toFixed(1), 'ms');
