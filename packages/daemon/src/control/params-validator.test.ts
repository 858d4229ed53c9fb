import { Type } from '@sinclair/typebox';
import { describe, expect, it } from 'vitest';
import { MAX_TIMER_MS } from '../constants.js';
import { CONTROL_PARAMS } from './control-methods.js';
import { MONITOR_PARAMS } from './monitor-methods.js';
import { compileParamsValidator } from './params-validator.js';

const start = compileParamsValidator(CONTROL_PARAMS['agent.start']);
const command = ['true'];

describe('agent.start params accept only what the runtime can do', () => {
  it.each([
    [
      'a TCP probe on port 99999 (issue 16)',
      { kind: 'service', command, probes: { readiness: { tcp: '127.0.0.1:99999' } } },
      '/probes/readiness/tcp',
      /host:port with a port of 1–65535.*got "127\.0\.0\.1:99999"/,
    ],
    [
      'a TCP probe on port 0',
      { kind: 'service', command, probes: { liveness: { tcp: ':0' } } },
      '/probes/liveness/tcp',
      /port of 1–65535/,
    ],
    ['a NUL byte in an argument', { command: ['sleep', '1\u00002'] }, '/command/1', /NUL/],
    ['a NUL byte in the module', { module: '/a\u0000.mjs' }, '/module', /NUL/],
    ['a NUL byte in cwd', { command, cwd: '/tmp\u0000' }, '/cwd', /NUL/],
    ['a NUL byte in an env value', { command, env: { A: '\u0000' } }, '/env/A', /NUL/],
    ['an env name with =', { command, env: { 'A=B': 'c' } }, '/env/A=B', /without = or NUL/],
    ['an empty env name', { command, env: { '': 'c' } }, '/env/', /without = or NUL/],
    [
      '1001 env variables',
      { command, env: Object.fromEntries(Array.from({ length: 1001 }, (_, i) => [`V${i}`, ''])) },
      '/env',
      /no more than 1000/,
    ],
    ['a name with a space', { command, name: 'a b' }, '/name', /A-Z a-z 0-9/],
    ['a 4097-character module', { module: 'm'.repeat(4097) }, '/module', /4096/],
    ['a 131 072-character argument', { command: ['x'.repeat(131_072)] }, '/command/0', /131071/],
    ['intervalMs 2^31', { command, intervalMs: 2 ** 31 }, '/intervalMs', /2147483647 \(ms\)/],
    [
      'backoff.maxMs 2^31',
      { command, restart: { backoff: { maxMs: 2 ** 31 } } },
      '/restart/backoff/maxMs',
      /2147483647/,
    ],
    [
      'a backoff multiplier of 1e400 (Infinity in JSON)',
      JSON.parse('{"command":["true"],"restart":{"backoff":{"multiplier":1e400}}}') as object,
      '/restart/backoff/multiplier',
      /number/,
    ],
    [
      'a backoff multiplier of 101',
      { command, restart: { backoff: { multiplier: 101 } } },
      '/restart/backoff/multiplier',
      /100/,
    ],
    [
      'maxRestarts 101 (issue 16, item 8)',
      { command, restart: { intensity: { maxRestarts: 101 } } },
      '/restart/intensity/maxRestarts',
      /last 100 restarts, so a higher limit could never trip/,
    ],
    [
      'maxMemoryMb 63',
      { command, maxMemoryMb: 63 },
      '/maxMemoryMb',
      /greater or equal to 64 .*about 44 MiB, so a lower limit would kill it/,
    ],
    ['maxMemoryMb over 1 TiB', { command, maxMemoryMb: 1024 * 1024 + 1 }, '/maxMemoryMb', /1 TiB/],
    [
      'maxIterations above MAX_SAFE_INTEGER',
      { command, maxIterations: 2 ** 53 },
      '/maxIterations',
      /9007199254740991/,
    ],
    [
      'a probe interval of 2^31 ms',
      { kind: 'service', command, probes: { liveness: { tcp: ':80', intervalMs: 2 ** 31 } } },
      '/probes/liveness/intervalMs',
      /2147483647/,
    ],
    [
      'a readiness timeout of 2^31 ms',
      { kind: 'service', command, probes: { readinessTimeoutMs: 2 ** 31 } },
      '/probes/readinessTimeoutMs',
      /2147483647/,
    ],
    [
      'a probe that is neither http nor tcp',
      { kind: 'service', command, probes: { readiness: {} } },
      '/probes/readiness',
      /a probe: \{ http: url \} or \{ tcp: "host:port" \}/,
    ],
  ])('refuses %s, naming the field and why', (_, params, path, message) => {
    const result = start(params);
    expect(result).toMatchObject({ ok: false, path });
    expect(result.ok || result.message).toMatch(message);
  });

  it('accepts every limit itself', () => {
    const result = start({
      module: `/${'m'.repeat(4095)}`,
      name: 'a'.repeat(64),
      intervalMs: MAX_TIMER_MS,
      maxIterations: Number.MAX_SAFE_INTEGER,
      cwd: `/${'d'.repeat(4095)}`,
      env: { 'A-b.c d': '', [`${'N'.repeat(4096)}`]: 'v'.repeat(131_071) },
      restart: {
        backoff: { initialMs: MAX_TIMER_MS, multiplier: 100, maxMs: MAX_TIMER_MS, jitter: 1 },
        resetAfterMs: MAX_TIMER_MS,
        intensity: { maxRestarts: 100, periodMs: MAX_TIMER_MS },
      },
      maxMemoryMb: 64,
      probes: {
        readiness: { tcp: '[::1]:65535', intervalMs: MAX_TIMER_MS, timeoutMs: MAX_TIMER_MS },
        liveness: { http: 'https://127.0.0.1:1/é', failureThreshold: Number.MAX_SAFE_INTEGER },
        readinessTimeoutMs: MAX_TIMER_MS,
      },
    });
    expect(result).toMatchObject({ ok: true });
    expect(start({ command: ['x'.repeat(131_071)], maxMemoryMb: 1024 * 1024 }).ok).toBe(true);
  });
});

describe('compileParamsValidator', () => {
  it('names the deepest field of the union branch the value was meant for', () => {
    const schema = Type.Object({
      shape: Type.Union([
        Type.Object({ circle: Type.Object({ r: Type.Integer({ minimum: 1 }) }) }),
        Type.Object({ square: Type.Integer() }),
      ]),
    });
    const validate = compileParamsValidator(schema);
    expect(validate({ shape: { circle: { r: 0 } } })).toMatchObject({
      ok: false,
      path: '/shape/circle/r',
      message: 'Expected integer to be greater or equal to 1',
    });
    expect(validate({ shape: { triangle: 3 } })).toMatchObject({
      ok: false,
      path: '/shape',
      message: 'Expected union value',
    });
  });

  it('runs the refinement only on params that pass the schema', () => {
    const calls: unknown[] = [];
    const validate = compileParamsValidator(Type.Object({ n: Type.Integer() }), (value) => {
      calls.push(value);
      return value.n === 13 ? { path: '/n', message: 'unlucky' } : undefined;
    });
    expect(validate({ n: 'x' })).toMatchObject({ ok: false, path: '/n' });
    expect(validate({ n: 13 })).toEqual({ ok: false, path: '/n', message: 'unlucky' });
    expect(validate({ n: 1 })).toEqual({ ok: true, value: { n: 1 } });
    expect(calls).toEqual([{ n: 13 }, { n: 1 }]);
  });

  it('monitor params bound event ids and subscription ids', () => {
    const backlog = compileParamsValidator(MONITOR_PARAMS['monitor.backlog']);
    const unsubscribe = compileParamsValidator(MONITOR_PARAMS['monitor.unsubscribe']);
    expect(backlog({ since: 2 ** 53 })).toMatchObject({ ok: false, path: '/since' });
    expect(unsubscribe({ subscriptionId: 's'.repeat(129) })).toMatchObject({
      ok: false,
      path: '/subscriptionId',
    });
  });
});
