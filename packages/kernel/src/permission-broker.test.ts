import { describe, expect, it } from 'vitest';
import type { PermissionRequestMessage } from '@x/ipc';
import { PermissionBroker } from './permission-broker.js';

function broker(options: { failSend?: boolean; maxPending?: number } = {}) {
  const sent: PermissionRequestMessage[] = [];
  const instance = new PermissionBroker((message) => {
    sent.push(message);
    return options.failSend === true ? Promise.reject(new Error('closed')) : Promise.resolve();
  }, options.maxPending);
  return { instance, sent };
}

const live = () => new AbortController().signal;

describe('PermissionBroker', () => {
  it('numbers requests p-1, p-2 and resolves each on its own response', async () => {
    const { instance, sent } = broker();
    const first = instance.request(
      { tool: 'shell', input: { cmd: 'ls' }, rationale: 'why' },
      live(),
    );
    const second = instance.request({ tool: 'git' }, live());
    expect(sent).toEqual([
      {
        type: 'permission_request',
        requestId: 'p-1',
        tool: 'shell',
        input: { cmd: 'ls' },
        rationale: 'why',
      },
      { type: 'permission_request', requestId: 'p-2', tool: 'git' },
    ]);
    expect(
      instance.respond({ type: 'permission_response', requestId: 'p-2', decision: 'granted' }),
    ).toBe(true);
    expect(
      instance.respond({ type: 'permission_response', requestId: 'p-1', decision: 'denied' }),
    ).toBe(true);
    expect(await first).toBe('denied');
    expect(await second).toBe('granted');
    expect(instance.pending).toBe(0);
  });

  it('a second response to the same request, or one to an unknown id, is ignored', async () => {
    const { instance } = broker();
    const decision = instance.request({ tool: 'shell' }, live());
    instance.respond({ type: 'permission_response', requestId: 'p-1', decision: 'granted' });
    expect(
      instance.respond({ type: 'permission_response', requestId: 'p-1', decision: 'denied' }),
    ).toBe(false);
    expect(
      instance.respond({ type: 'permission_response', requestId: 'p-7', decision: 'granted' }),
    ).toBe(false);
    expect(await decision).toBe('granted');
  });

  it('an abort of the asker’s signal denies and forgets the request', async () => {
    const { instance } = broker();
    const controller = new AbortController();
    const decision = instance.request({ tool: 'shell' }, controller.signal);
    expect(instance.pending).toBe(1);
    controller.abort();
    expect(await decision).toBe('denied');
    expect(instance.pending).toBe(0);
    expect(
      instance.respond({ type: 'permission_response', requestId: 'p-1', decision: 'granted' }),
    ).toBe(false);
  });

  it('denyAll() denies pending requests and every later one, without sending it', async () => {
    const { instance, sent } = broker();
    const pending = instance.request({ tool: 'shell' }, live());
    instance.denyAll();
    expect(await pending).toBe('denied');
    expect(await instance.request({ tool: 'later' }, live())).toBe('denied');
    expect(sent).toHaveLength(1);
  });

  it('a request that cannot be sent is denied', async () => {
    const { instance } = broker({ failSend: true });
    expect(await instance.request({ tool: 'shell' }, live())).toBe('denied');
    expect(instance.pending).toBe(0);
  });

  it('beyond maxPending waiting requests, new ones are denied without being sent', async () => {
    const { instance, sent } = broker({ maxPending: 2 });
    void instance.request({ tool: 'a' }, live());
    void instance.request({ tool: 'b' }, live());
    expect(await instance.request({ tool: 'c' }, live())).toBe('denied');
    expect(sent.map((message) => message.tool)).toEqual(['a', 'b']);
  });
});
