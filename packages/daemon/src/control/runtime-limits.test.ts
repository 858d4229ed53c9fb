import { describe, expect, it } from 'vitest';
import { ARG_MAX_LENGTH, PATH_MAX_LENGTH, startParamsProblem } from './runtime-limits.js';

describe('startParamsProblem: what the schema lets through but the OS cannot take', () => {
  it.each([
    [
      'an argument of 131 071 characters but 262 141 bytes (E2BIG)',
      { command: ['true', ` ${'é'.repeat(131_070)}`] },
      '/command/1',
      /262141 bytes of UTF-8; .* at most 131071 \(MAX_ARG_STRLEN/,
    ],
    [
      'an environment entry over 131 071 bytes',
      { command: ['true'], env: { A: 'é'.repeat(70_000) } },
      '/env/A',
      /environment entry can be at most 131071/,
    ],
    [
      'a cwd of 4096 bytes',
      { command: ['true'], cwd: `/${'é'.repeat(2048)}` },
      '/cwd',
      /4097 bytes of UTF-8; a path can be at most 4095 \(PATH_MAX\)/,
    ],
    ['a module of 4096 bytes', { module: `/${'m'.repeat(4095)}` }, '/module', /PATH_MAX/],
    [
      'a probe URL that does not parse',
      { command: ['true'], probes: { liveness: { http: 'http://[::1/' } } },
      '/probes/liveness/http',
      /"http:\/\/\[::1\/" does not parse as a URL/,
    ],
    [
      'a probe URL with credentials',
      { command: ['true'], probes: { readiness: { http: 'http://u:p@127.0.0.1/' } } },
      '/probes/readiness/http',
      /credentials/,
    ],
  ])('refuses %s', (_, params, path, message) => {
    const problem = startParamsProblem(params);
    expect(problem?.path).toBe(path);
    expect(problem?.message).toMatch(message);
  });

  it('takes each limit itself', () => {
    expect(
      startParamsProblem({
        module: `/${'m'.repeat(PATH_MAX_LENGTH - 2)}`,
        cwd: `/${'é'.repeat(2046)}`,
        command: ['true', 'a'.repeat(ARG_MAX_LENGTH), 'é'.repeat(65_535)],
        env: { A: 'v'.repeat(ARG_MAX_LENGTH - 2) },
        probes: { readiness: { tcp: ':65535' }, liveness: { http: 'https://[::1]:8443/x' } },
      }),
    ).toBeUndefined();
  });
});
