import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { fileURLToPath } from 'node:url';
import type { EventHubStats, MonitorEvent } from '@x/daemon';
import { connectRpc } from '@x/ipc/node';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BIN, FIXTURES, tempHome, waitFor, x, xJson } from './helpers.js';

const LOG_FLOOD = fileURLToPath(
  new URL('../../daemon/test/fixtures/log-flood.mjs', import.meta.url),
);

interface Follower {
  child: ChildProcess;
  events(): MonitorEvent[];
  stderr(): string;
  exited: Promise<number | null>;
}

/** Spawns `x events -f --json …` and parses its NDJSON as it comes. */
function follow(home: string, args: string[] = []): Follower {
  const child = spawn(process.execPath, [BIN, 'events', '-f', '--json', ...args], {
    env: { ...process.env, X_HOME: home },
  });
  let out = '';
  let err = '';
  child.stdout.on('data', (chunk) => (out += String(chunk)));
  child.stderr.on('data', (chunk) => (err += String(chunk)));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return {
    child,
    // Whole lines only: the last one may still be arriving (a chunk can end mid-line).
    events: () =>
      out
        .slice(0, out.lastIndexOf('\n') + 1)
        .split('\n')
        .filter((line) => line !== '')
        .map((line) => JSON.parse(line) as MonitorEvent),
    stderr: () => err,
    exited,
  };
}

const states = (events: MonitorEvent[]) =>
  events.flatMap((event) => (event.type === 'run_state' ? [event.run.state] : []));

/** VmRSS of a process, MiB. */
const rssMiB = (pid: number) =>
  Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) / 1024;

describe('x events (real daemon process, runners, socket, SQLite)', () => {
  let home: ReturnType<typeof tempHome>;
  let daemonPid = 0;
  const followers: Follower[] = [];
  beforeEach(async () => {
    home = tempHome();
    const started = await xJson<{ pid: number }>(home.path, ['daemon', 'start']);
    expect(started.$code).toBe(0);
    daemonPid = started.pid;
  });
  afterEach(async () => {
    for (const follower of followers.splice(0)) {
      follower.child.kill('SIGKILL');
    }
    await x(home.path, ['daemon', 'stop']);
    home.remove();
  });

  it("-f --json shows a run's whole life in order; --since resumes with nothing missing or repeated; Ctrl-C exits 0", async () => {
    const follower = follow(home.path);
    followers.push(follower);
    await new Promise((resolve) => setTimeout(resolve, 500)); // subscribed
    const started = await x(home.path, [
      'agent',
      'start',
      `${FIXTURES}counter.mjs`,
      '--name',
      'life',
      '--interval',
      '100',
    ]);
    expect(started.code).toBe(0);
    expect(
      await waitFor(
        () => follower.events().filter((e) => e.type === 'iteration_done').length >= 3,
        20_000,
      ),
    ).toBe(true);
    expect((await x(home.path, ['agent', 'stop', 'life'])).code).toBe(0);
    expect(await waitFor(() => states(follower.events()).includes('exited'), 20_000)).toBe(true);

    const events = follower.events();
    expect(states(events)).toEqual(['starting', 'running', 'stopping', 'exited']);
    const types = events.map((e) => e.type);
    const running = events.findIndex((e) => e.type === 'run_state' && e.run.state === 'running');
    const stopping = events.findIndex((e) => e.type === 'run_state' && e.run.state === 'stopping');
    const exited = events.findIndex((e) => e.type === 'run_state' && e.run.state === 'exited');
    const iterations = types.flatMap((type, i) => (type === 'iteration_done' ? [i] : []));
    expect(iterations.length).toBeGreaterThanOrEqual(3);
    expect(iterations.every((i) => i > running && i < exited)).toBe(true);
    // A graceful stop lets the iteration in flight finish: at most that one reports after
    // `stopping` (a loaded machine can see it land there).
    expect(iterations.filter((i) => i > stopping).length).toBeLessThanOrEqual(1);
    const last = events.at(-1)!;
    expect(last.type === 'run_state' && last.run.exit?.reason).toBe('stopped');
    const ids = events.map((e) => e.id);
    expect(ids).toEqual([...ids].sort((a, b) => a - b));
    expect(new Set(ids).size).toBe(ids.length);

    follower.child.kill('SIGINT');
    expect(await follower.exited).toBe(0);

    // Resume from the second event: the rest exactly, without and with -f.
    const tail = await x(home.path, ['events', '--json', '--since', String(ids[1])]);
    expect(tail.code).toBe(0);
    const tailIds = tail.stdout
      .trim()
      .split('\n')
      .map((line) => (JSON.parse(line) as MonitorEvent).id);
    expect(tailIds).toEqual(ids.slice(2));
    const resumed = follow(home.path, ['--since', String(ids[1])]);
    followers.push(resumed);
    expect(await waitFor(() => resumed.events().length >= ids.length - 2, 15_000)).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(resumed.events().map((e) => e.id)).toEqual(ids.slice(2));

    // Text lines: `#id time name type summary`.
    const text = await x(home.path, ['events', '--run', 'life', '--type', 'run_state']);
    const lines = text.stdout.trim().split('\n');
    expect(lines).toHaveLength(4);
    expect(lines[3]).toMatch(/^#\d+ \d{4}-\d\d-\d\dT[\d:.]+Z life run_state exited \[stopped\] /);
  }, 90_000);

  it('-f exits 69 when the daemon goes away', async () => {
    const follower = follow(home.path);
    followers.push(follower);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect((await x(home.path, ['daemon', 'stop'])).code).toBe(0);
    expect(await follower.exited).toBe(69);
    expect(follower.stderr()).toMatch(/daemon went away/);
  }, 30_000);

  it('during a log flood: a raw subscriber that never reads is dropped, the daemon RSS stays bounded, and -f misses no event (resubscribing when it was dropped too)', async () => {
    const socketPath = `${home.path}/x.sock`;
    const raw = connect(socketPath);
    raw.on('error', () => undefined);
    await new Promise((resolve) => raw.once('connect', resolve));
    raw.write('{"jsonrpc":"2.0","id":1,"method":"monitor.subscribe","params":{}}\n');
    raw.pause();
    const follower = follow(home.path, ['--since', '0']);
    followers.push(follower);
    const rpc = await connectRpc(socketPath);
    const stats = () => rpc.request<EventHubStats>('monitor.stats');
    const baseline = rssMiB(daemonPid);
    // The follower's stdout is not read for a while: it usually blocks writing, stops reading
    // its socket and is dropped too (not always: the pipe and stream buffers decide), and must
    // miss nothing either way.
    follower.child.stdout!.pause();
    const started = await x(home.path, [
      'agent',
      'start',
      '--command',
      `${process.execPath} ${LOG_FLOOD} 40000`, // under the 100 000-row backlog bound
      '--name',
      'flood',
    ]);
    expect(started.code).toBe(0);
    let peak = baseline;
    const flooded = await waitFor(async () => {
      peak = Math.max(peak, rssMiB(daemonPid));
      const now = await stats();
      return now.lagged >= 1 && now.events >= 40_000;
    }, 60_000);
    expect(flooded).toBe(true);
    follower.child.stdout!.resume();
    // Other clients are still served during the flood.
    const listed = await x(home.path, ['agent', 'list', '--json']);
    expect(listed.code).toBe(0);
    peak = Math.max(peak, rssMiB(daemonPid));
    expect((await x(home.path, ['agent', 'stop', 'flood'])).code).toBe(0);
    const final = await stats();
    rpc.close();
    console.log(
      `daemon RSS ${baseline.toFixed(0)} → peak ${peak.toFixed(0)} MiB; ${final.events} events, ` +
        `${final.flushes} transactions, ${final.lagged} subscriber(s) dropped as lagged`,
    );
    expect(peak - baseline).toBeLessThan(200);
    expect(final.flushes).toBeLessThan(final.events / 20);

    // The follower reaches the last event, every id once, in order, none missing. The stop's
    // last events can come after the stats were read (seen: the follower at #40004, the stats
    // at #40003), so it reaches at least that id.
    expect(
      await waitFor(() => (follower.events().at(-1)?.id ?? 0) >= final.lastEventId, 60_000, 200),
    ).toBe(true);
    const ids = follower.events().map((e) => e.id);
    expect(ids.length).toBeGreaterThanOrEqual(final.lastEventId);
    expect(ids).toEqual(Array.from({ length: ids.length }, (_, i) => i + 1));
    if (final.lagged >= 2) {
      expect(follower.stderr()).toMatch(/resubscribing from #\d+/);
    }
    raw.destroy();
  }, 150_000);
});
