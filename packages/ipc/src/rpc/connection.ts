import type { Channel } from '../core/channel.js';
import { toDisposable, type Disposable } from '../core/disposable.js';
import { Emitter, type Event } from '../core/emitter.js';
import { IPC_ERROR_CODES, isIpcError } from '../errors.js';
import type { Validator } from '../protocol/validate.js';
import {
  RPC_ERROR_CODES,
  RpcError,
  isRpcError,
  type RpcId,
  type RpcMessage,
  type RpcResponse,
} from './messages.js';

/** Options of one outgoing call. */
export interface RequestOptions {
  /** Reject with `REQUEST_TIMEOUT` (-32098) after this many ms. @default no timeout */
  timeoutMs?: number;
  /** Reject with `REQUEST_CANCELLED` (-32097) when aborted. */
  signal?: AbortSignal;
}

/** What a method handler gets besides its params. */
export interface RequestContext {
  readonly connection: RpcConnection;
  readonly method: string;
}

export type RequestHandler<P, R> = (params: P, context: RequestContext) => R | Promise<R>;

/** A JSON-RPC 2.0 peer: client (requests out) and server (methods in) on one channel. */
export interface RpcConnection {
  /**
   * Calls a remote method.
   * @throws RpcError (as a rejection): the remote error, or a client-side
   *   `CONNECTION_CLOSED` / `REQUEST_TIMEOUT` / `REQUEST_CANCELLED`.
   */
  request<R = unknown>(method: string, params?: unknown, options?: RequestOptions): Promise<R>;
  /** Sends a notification (no response). Errors (closed channel) are ignored. */
  notify(method: string, params?: unknown): void;
  /**
   * Registers a method. With `validate`, params that fail get `-32602` naming the field
   * before the handler runs. Returns a disposer that unregisters it.
   */
  onRequest<P, R>(
    method: string,
    handler: RequestHandler<P, R>,
    validate?: Validator<P>,
  ): Disposable;
  /** Registers a handler for incoming notifications of `method`. */
  onNotification<P>(method: string, handler: (params: P) => void): Disposable;
  /** Fires once when the connection closes. */
  readonly onClose: Event<void>;
  readonly closed: boolean;
  close(): void;
}

interface Pending {
  resolve(value: unknown): void;
  reject(error: RpcError): void;
  cleanup(): void;
}

/**
 * Creates a JSON-RPC 2.0 connection over a channel of raw JSON values. Batches, the
 * standard error codes and notifications are supported. Malformed input is answered with
 * `-32700` / `-32600` and the connection keeps serving.
 */
export function createRpcConnection(channel: Channel<unknown, unknown>): RpcConnection {
  const handlers = new Map<
    string,
    { handler: RequestHandler<unknown, unknown>; validate?: Validator<unknown> }
  >();
  const notificationHandlers = new Map<string, (params: unknown) => void>();
  const pending = new Map<RpcId, Pending>();
  const closes = new Emitter<void>();
  let nextId = 1;

  const send = (message: unknown) => {
    channel.send(message).catch(() => {
      // The peer is gone; close handling rejects what is pending.
    });
  };

  // A response that cannot be encoded (over maxFrameBytes, not serialisable) must still
  // answer its caller, who would otherwise wait forever: -32603 naming why (size and limit).
  const sendResponse = (response: RpcResponse | RpcResponse[]) => {
    channel.send(response).catch((error: Error) => {
      if (isIpcError(error) && error.code === IPC_ERROR_CODES.BACKPRESSURE) {
        // The peer sends requests without reading the answers. Dropping this one would leave
        // its caller waiting for ever: close the connection, so that every pending call of
        // the peer fails at once ("connection closed") instead.
        channel.close();
        return;
      }
      if (!isIpcError(error) || !isEncodeError(error)) {
        return; // the peer is gone
      }
      const answer = (one: RpcResponse): RpcResponse =>
        errorResponse(
          one.id,
          RPC_ERROR_CODES.INTERNAL_ERROR,
          `Internal error: the response could not be sent: ${error.message}`,
          { code: error.code },
        );
      send(Array.isArray(response) ? response.map(answer) : answer(response));
    });
  };

  channel.onError((error) => {
    if (!isIpcError(error)) {
      return;
    }
    if (error.code === IPC_ERROR_CODES.MALFORMED_FRAME) {
      send(errorResponse(null, RPC_ERROR_CODES.PARSE_ERROR, `Parse error: ${error.message}`));
    } else if (error.code === IPC_ERROR_CODES.FRAME_TOO_LARGE) {
      send(
        errorResponse(null, RPC_ERROR_CODES.INVALID_REQUEST, `Invalid Request: ${error.message}`),
      );
    }
  });

  channel.onClose(() => {
    for (const call of pending.values()) {
      call.cleanup();
      call.reject(
        new RpcError(
          RPC_ERROR_CODES.CONNECTION_CLOSED,
          '@x/ipc: connection closed before the response arrived',
        ),
      );
    }
    pending.clear();
    closes.fire();
  });

  channel.onMessage((message) => {
    if (Array.isArray(message)) {
      if (message.length === 0) {
        send(errorResponse(null, RPC_ERROR_CODES.INVALID_REQUEST, 'Invalid Request: empty batch'));
        return;
      }
      void Promise.all(message.map((item) => handleOne(item))).then((responses) => {
        const out = responses.filter((response): response is RpcResponse => response !== undefined);
        if (out.length > 0) {
          sendResponse(out);
        }
      });
      return;
    }
    void handleOne(message).then((response) => {
      if (response !== undefined) {
        sendResponse(response);
      }
    });
  });

  async function handleOne(message: unknown): Promise<RpcResponse | undefined> {
    try {
      return await dispatch(message);
    } catch (error) {
      return errorResponse(
        idOf(message),
        RPC_ERROR_CODES.INTERNAL_ERROR,
        `Internal error: ${(error as Error)?.message ?? String(error)}`,
      );
    }
  }

  async function dispatch(message: unknown): Promise<RpcResponse | undefined> {
    if (
      typeof message !== 'object' ||
      message === null ||
      (message as { jsonrpc?: unknown }).jsonrpc !== '2.0'
    ) {
      return errorResponse(
        idOf(message),
        RPC_ERROR_CODES.INVALID_REQUEST,
        'Invalid Request: expected an object with "jsonrpc": "2.0"',
      );
    }
    const m = message as Partial<RpcMessage> & Record<string, unknown>;
    if (typeof m.method === 'string') {
      return handleRequest(m as { id?: RpcId; method: string; params?: unknown });
    }
    if ('result' in m || 'error' in m) {
      handleResponse(m as RpcResponse);
      return undefined;
    }
    return errorResponse(
      idOf(message),
      RPC_ERROR_CODES.INVALID_REQUEST,
      'Invalid Request: no "method", "result" or "error"',
    );
  }

  async function handleRequest(request: {
    id?: RpcId;
    method: string;
    params?: unknown;
  }): Promise<RpcResponse | undefined> {
    const isNotification = !('id' in request);
    const id = request.id;
    if (!isNotification && typeof id !== 'number' && typeof id !== 'string') {
      return errorResponse(
        null,
        RPC_ERROR_CODES.INVALID_REQUEST,
        'Invalid Request: "id" must be a number or a string',
      );
    }
    if (
      request.params !== undefined &&
      (typeof request.params !== 'object' || request.params === null)
    ) {
      return isNotification
        ? undefined
        : errorResponse(
            id!,
            RPC_ERROR_CODES.INVALID_PARAMS,
            'Invalid params: "params" must be an object or an array',
          );
    }
    if (isNotification) {
      try {
        notificationHandlers.get(request.method)?.(request.params);
      } catch {
        // A notification has no response to carry the error; the connection goes on.
      }
      return undefined;
    }
    const entry = handlers.get(request.method);
    if (entry === undefined) {
      return errorResponse(
        id!,
        RPC_ERROR_CODES.METHOD_NOT_FOUND,
        `Method not found: ${request.method}`,
      );
    }
    let params: unknown = request.params ?? {};
    if (entry.validate !== undefined) {
      const result = entry.validate(params);
      if (!result.ok) {
        return errorResponse(
          id!,
          RPC_ERROR_CODES.INVALID_PARAMS,
          `Invalid params: ${result.path} ${result.message}`,
          {
            field: result.path,
          },
        );
      }
      params = result.value;
    }
    try {
      const result = await entry.handler(params, { connection, method: request.method });
      return { jsonrpc: '2.0', id: id!, result: result ?? null };
    } catch (error) {
      if (isRpcError(error)) {
        return { jsonrpc: '2.0', id: id!, error: error.toJSON() };
      }
      return errorResponse(
        id!,
        RPC_ERROR_CODES.INTERNAL_ERROR,
        `Internal error: ${(error as Error)?.message ?? String(error)}`,
      );
    }
  }

  function handleResponse(response: RpcResponse): void {
    const call = response.id === null ? undefined : pending.get(response.id);
    if (call === undefined) {
      return;
    }
    pending.delete(response.id!);
    call.cleanup();
    if ('error' in response && response.error !== undefined) {
      const e = response.error;
      call.reject(new RpcError(e.code, e.message, e.data));
    } else {
      call.resolve((response as { result: unknown }).result);
    }
  }

  const connection: RpcConnection = {
    request<R>(method: string, params?: unknown, options: RequestOptions = {}): Promise<R> {
      if (channel.closed) {
        return Promise.reject(
          new RpcError(RPC_ERROR_CODES.CONNECTION_CLOSED, '@x/ipc: connection is closed'),
        );
      }
      const id = nextId++;
      return new Promise<R>((resolve, reject) => {
        let timer: ReturnType<typeof setTimeout> | undefined;
        const onAbort = () => {
          pending.delete(id);
          cleanup();
          reject(
            new RpcError(
              RPC_ERROR_CODES.REQUEST_CANCELLED,
              `@x/ipc: call ${method} was cancelled`,
              undefined,
              { cause: options.signal?.reason },
            ),
          );
        };
        const cleanup = () => {
          if (timer !== undefined) {
            clearTimeout(timer);
          }
          options.signal?.removeEventListener('abort', onAbort);
        };
        if (options.signal?.aborted) {
          onAbort();
          return;
        }
        options.signal?.addEventListener('abort', onAbort, { once: true });
        if (options.timeoutMs !== undefined) {
          timer = setTimeout(() => {
            pending.delete(id);
            cleanup();
            reject(
              new RpcError(
                RPC_ERROR_CODES.REQUEST_TIMEOUT,
                `@x/ipc: no response to ${method} within ${options.timeoutMs} ms`,
              ),
            );
          }, options.timeoutMs);
        }
        pending.set(id, { resolve: resolve, reject, cleanup });
        const message =
          params === undefined
            ? { jsonrpc: '2.0', id, method }
            : { jsonrpc: '2.0', id, method, params };
        channel.send(message).catch((error: Error) => {
          if (pending.delete(id)) {
            cleanup();
            const local = isIpcError(error) && isEncodeError(error);
            reject(
              new RpcError(
                local ? RPC_ERROR_CODES.INVALID_PARAMS : RPC_ERROR_CODES.CONNECTION_CLOSED,
                `@x/ipc: cannot send ${method}: ${error.message}`,
                undefined,
                { cause: error },
              ),
            );
          }
        });
      });
    },
    notify(method, params) {
      send(params === undefined ? { jsonrpc: '2.0', method } : { jsonrpc: '2.0', method, params });
    },
    onRequest<P, R>(method: string, handler: RequestHandler<P, R>, validate?: Validator<P>) {
      handlers.set(method, {
        handler: handler as RequestHandler<unknown, unknown>,
        validate: validate,
      });
      return toDisposable(() => handlers.delete(method));
    },
    onNotification<P>(method: string, handler: (params: P) => void) {
      notificationHandlers.set(method, handler as (params: unknown) => void);
      return toDisposable(() => notificationHandlers.delete(method));
    },
    onClose: closes.event,
    get closed() {
      return channel.closed;
    },
    close() {
      channel.close();
    },
  };
  return connection;
}

function errorResponse(
  id: RpcId | null,
  code: number,
  message: string,
  data?: unknown,
): RpcResponse {
  return {
    jsonrpc: '2.0',
    id,
    error: data === undefined ? { code, message } : { code, message, data },
  };
}

/** True for the errors of encoding a value (this side's fault, not the connection's). */
function isEncodeError(error: { code: string }): boolean {
  return (
    error.code === IPC_ERROR_CODES.ENCODE_FAILED || error.code === IPC_ERROR_CODES.FRAME_TOO_LARGE
  );
}

function idOf(message: unknown): RpcId | null {
  const id =
    typeof message === 'object' && message !== null ? (message as { id?: unknown }).id : undefined;
  return typeof id === 'number' || typeof id === 'string' ? id : null;
}
