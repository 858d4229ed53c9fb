import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { describeThrown, describeWithStack, isConfigError, toErrorDetail } from './error-detail.js';
import { ConfigError } from './errors.js';

describe('describeThrown: the one-line error of iteration_done and turn_result', () => {
  it.each([
    ['an Error', new TypeError('bad input'), 'TypeError: bad input'],
    ['an Error with an empty message', new RangeError(''), 'RangeError'],
    ['a ConfigError', new ConfigError('no key'), 'ConfigError: no key'],
    ['an Error of another realm', runInNewContext("new TypeError('vm')"), 'TypeError: vm'],
    ['a thrown object', { code: 'E1' }, '{"code":"E1"}'],
    ['a thrown string', 'plain string', 'plain string'],
    ['a thrown number', 404, '404'],
    ['undefined', undefined, 'undefined'],
    ['an object holding a BigInt', { n: 1n }, '{"n":"1n"}'],
    [
      'a cyclic object (no JSON form)',
      (() => {
        const o: Record<string, unknown> = {};
        o.self = o;
        return o;
      })(),
      '[object Object]',
    ],
  ])('%s', (_name, thrown, expected) => {
    expect(describeThrown(thrown)).toBe(expected);
  });
});

describe('toErrorDetail', () => {
  it('keeps name, message, stack and a string code', () => {
    const error = Object.assign(new Error('refused'), { code: 'ECONNREFUSED' });
    expect(toErrorDetail(error)).toEqual({
      name: 'Error',
      message: 'refused',
      stack: error.stack,
      code: 'ECONNREFUSED',
    });
  });

  it('marks a configuration error, by class or by code alone', () => {
    expect(toErrorDetail(new ConfigError('no key'))).toMatchObject({
      name: 'ConfigError',
      code: 'X_AGENT_CONFIG',
      config: true,
    });
    const plain = Object.assign(new Error('bad model'), { code: 'X_AGENT_CONFIG' });
    expect(isConfigError(plain)).toBe(true);
    expect(toErrorDetail(plain)).toMatchObject({ name: 'Error', config: true });
    expect(isConfigError(new Error('other'))).toBe(false);
  });

  it('names a thrown non-Error NonError, with its JSON as the message and its code', () => {
    expect(toErrorDetail({ code: 'E1' })).toEqual({
      name: 'NonError',
      message: '{"code":"E1"}',
      code: 'E1',
    });
  });

  it('bounds every field to the protocol limits, saying where it cut', () => {
    const error = new Error('m'.repeat(70_000));
    error.name = 'N'.repeat(300);
    error.stack = 's'.repeat(20_000);
    (error as Error & { code: string }).code = 'C'.repeat(300);
    const detail = toErrorDetail(error);
    expect(detail.name).toHaveLength(256);
    expect(detail.message).toHaveLength(65_536);
    expect(detail.stack).toHaveLength(16_384);
    expect(detail.code).toHaveLength(256);
    expect(detail.stack).toMatch(/…\[cut: 20000 characters in all\]$/);
  });

  it('survives a thrown value whose getters throw', () => {
    const hostile = new Proxy(new Error('x'), {
      get() {
        throw new Error('no access');
      },
    });
    expect(toErrorDetail(hostile)).toEqual({ name: 'Error', message: '' });
    expect(describeWithStack(hostile)).toBe('Error');
  });
});
