import { describe, expect, it } from 'vitest';
import type { PermissionCancelMessage, PermissionRequestMessage } from '@x/ipc';
import { PermissionBroker } from './permission-broker.js';

function broker(options: { failSend?: boolean; maxPending?: number } = {}) {
  const sent: PermissionRequestMessage[] = [];
  const cancels: PermissionCancelMessage[] = [];
  const instance = new PermissionBroker((message) => {
    if (message.type === 'permission_cancel') {
      cancels.push(message);
    } else {
      sent.push(message);
    }
    return options.failSend === true ? Promise.reject(new Error('closed')) : Promise.resolve();
  }, options.maxPending);
  return { instance, sent, cancels };
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

  it('an abort of the asker’s signal denies, forgets and withdraws the request', async () => {
    const { instance, cancels } = broker();
    const controller = new AbortController();
    const decision = instance.request({ tool: 'shell' }, controller.signal);
    expect(instance.pending).toBe(1);
    controller.abort(new Error('cancelled by the supervisor'));
    expect(await decision).toBe('denied');
    expect(instance.pending).toBe(0);
    expect(cancels).toEqual([
      { type: 'permission_cancel', requestId: 'p-1', reason: 'cancelled by the supervisor' },
    ]);
    expect(
      instance.respond({ type: 'permission_response', requestId: 'p-1', decision: 'granted' }),
    ).toBe(false);
  });

  it('denyAll() denies (and withdraws) pending requests, and denies every later one without sending it', async () => {
    const { instance, sent, cancels } = broker();
    const pending = instance.request({ tool: 'shell' }, live());
    instance.denyAll('the run is stopping');
    expect(await pending).toBe('denied');
    expect(await instance.request({ tool: 'later' }, live())).toBe('denied');
    expect(sent).toHaveLength(1);
    expect(cancels).toEqual([
      { type: 'permission_cancel', requestId: 'p-1', reason: 'the run is stopping' },
    ]);
  });

  it('an answered request is not withdrawn by a later abort or denyAll()', async () => {
    const { instance, cancels } = broker();
    const controller = new AbortController();
    const decision = instance.request({ tool: 'shell' }, controller.signal);
    instance.respond({ type: 'permission_response', requestId: 'p-1', decision: 'granted' });
    controller.abort();
    instance.denyAll();
    expect(await decision).toBe('granted');
    expect(cancels).toEqual([]);
  });

  it('a request that cannot be sent is denied, and not withdrawn', async () => {
    const { instance, cancels } = broker({ failSend: true });
    expect(await instance.request({ tool: 'shell' }, live())).toBe('denied');
    expect(instance.pending).toBe(0);
    expect(cancels).toEqual([]);
  });

  it('a withdrawal that cannot be sent (channel closed) is ignored', async () => {
    let calls = 0;
    const instance = new PermissionBroker((message) => {
      calls += 1;
      return message.type === 'permission_cancel'
        ? Promise.reject(new Error('channel closed'))
        : Promise.resolve();
    });
    const decision = instance.request({ tool: 'shell' }, live());
    instance.denyAll('supervisor gone');
    expect(await decision).toBe('denied');
    await new Promise((resolve) => setImmediate(resolve));
    expect(calls).toBe(2);
  });

  it('beyond maxPending waiting requests, new ones are denied without being sent', async () => {
    const { instance, sent } = broker({ maxPending: 2 });
    void instance.request({ tool: 'a' }, live());
    void instance.request({ tool: 'b' }, live());
    expect(await instance.request({ tool: 'c' }, live())).toBe('denied');
    expect(sent.map((message) => message.tool)).toEqual(['a', 'b']);
  });
});
