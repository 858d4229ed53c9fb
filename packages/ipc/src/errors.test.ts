import { describe, expect, it } from 'vitest';
import { FrameError, IPC_ERROR_CODES, IpcError, isIpcError } from './errors.js';

describe('errors', () => {
  it('a FrameError carries its code and position, and says where in its message', () => {
    const cause = new SyntaxError('bad');
    const error = new FrameError(
      IPC_ERROR_CODES.MALFORMED_FRAME,
      '@x/ipc: jsonl bad line',
      { frame: 3, offset: 120 },
      { cause },
    );
    expect(error).toBeInstanceOf(IpcError);
    expect(error).toBeInstanceOf(Error);
    expect(error).toMatchObject({
      name: 'FrameError',
      code: 'X_IPC_MALFORMED_FRAME',
      frame: 3,
      offset: 120,
      cause,
    });
    expect(error.message).toBe('@x/ipc: jsonl bad line (frame 3, byte offset 120)');
  });

  it('isIpcError matches by brand, so it works across duplicate installs, and rejects look-alikes', () => {
    expect(isIpcError(new IpcError(IPC_ERROR_CODES.BACKPRESSURE, 'x'))).toBe(true);
    const foreign = { [Symbol.for('x.ipc.error')]: true, code: 'X_IPC_BACKPRESSURE' };
    expect(isIpcError(foreign)).toBe(true);
    expect(isIpcError(Object.assign(new Error('x'), { code: 'X_IPC_BACKPRESSURE' }))).toBe(false);
    expect(isIpcError(null)).toBe(false);
    expect(isIpcError('X_IPC_BACKPRESSURE')).toBe(false);
  });

  it('every code is namespaced X_IPC_ and distinct', () => {
    const codes = Object.values(IPC_ERROR_CODES);
    expect(new Set(codes).size).toBe(codes.length);
    for (const code of codes) {
      expect(code).toMatch(/^X_IPC_[A-Z_]+$/);
    }
  });
});
