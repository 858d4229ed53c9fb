import { describe, expect, it } from 'vitest';
import { parseMetricsAddress } from './metrics-address.js';

describe('parseMetricsAddress', () => {
  it.each([
    ['127.0.0.1:9464', '127.0.0.1', 9464],
    ['9464', '127.0.0.1', 9464],
    [':9464', '127.0.0.1', 9464],
    ['0.0.0.0:80', '0.0.0.0', 80],
    ['[::1]:9464', '::1', 9464],
    ['localhost:0', 'localhost', 0],
  ])('%s is %s port %d', (value, host, port) => {
    expect(parseMetricsAddress(value)).toEqual({ host, port });
  });
  it.each([
    ['127.0.0.1:70000', /port 70000 is over 65535/],
    ['::1:9464', /is not an address/],
    ['host:', /is not an address/],
    ['http://127.0.0.1:9464', /is not an address/],
    ['', /is not an address/],
  ])('%j is refused', (value, message) => {
    expect(() => parseMetricsAddress(value)).toThrow(message);
  });
});
