/**
 * JSON-RPC 2.0 envelopes and error codes (https://www.jsonrpc.org/specification).
 */

/** Request or notification id. */
export type RpcId = number | string;

export interface RpcRequest {
  jsonrpc: '2.0';
  id: RpcId;
  method: string;
  params?: unknown;
}

export interface RpcNotification {
  jsonrpc: '2.0';
  method: string;
  params?: unknown;
}

export interface RpcErrorObject {
  code: number;
  message: string;
  data?: unknown;
}

export interface RpcSuccessResponse {
  jsonrpc: '2.0';
  id: RpcId;
  result: unknown;
}

export interface RpcErrorResponse {
  jsonrpc: '2.0';
  id: RpcId | null;
  error: RpcErrorObject;
}

export type RpcResponse = RpcSuccessResponse | RpcErrorResponse;
export type RpcMessage = RpcRequest | RpcNotification | RpcResponse;

/**
 * Error codes. The first five are JSON-RPC 2.0's own. `-32099..-32090` are used by this
 * implementation for conditions seen on the client side (the peer never sends them).
 * Applications (the x daemon) use `-32000..-32089`; see their docs.
 */
/**
 * The largest JSON-RPC line on the x daemon's control socket, in bytes (UTF-8, without the
 * newline), requests and responses alike: 1 MiB. The daemon skips a longer request line and
 * answers it with -32600 and `id: null`, since it cannot read the id: the caller of such a
 * request would wait for an answer that never names it. A client gives `connectRpc` this as
 * its `maxFrameBytes`, so that such a request is refused at once, locally
 * (`X_IPC_FRAME_TOO_LARGE`, as a -32602 rejection of the call), as `@x/client` does.
 */
export const CONTROL_MAX_FRAME_BYTES = 1024 * 1024;

export const RPC_ERROR_CODES = {
  /** Invalid JSON was received. */
  PARSE_ERROR: -32700,
  /** The JSON sent is not a valid request object. */
  INVALID_REQUEST: -32600,
  /** The method does not exist. */
  METHOD_NOT_FOUND: -32601,
  /** Invalid method parameters; the message names the field. */
  INVALID_PARAMS: -32602,
  /** Internal error while handling the call. */
  INTERNAL_ERROR: -32603,
  /** Client side: the connection closed before the response came. */
  CONNECTION_CLOSED: -32099,
  /** Client side: no response within the call's timeout. */
  REQUEST_TIMEOUT: -32098,
  /** Client side: the call was cancelled through its AbortSignal. */
  REQUEST_CANCELLED: -32097,
} as const;

const RPC_ERROR = Symbol.for('x.ipc.rpc-error');

/** A JSON-RPC error, thrown by clients and by method handlers alike. */
export class RpcError extends Error {
  readonly [RPC_ERROR] = true;
  constructor(
    readonly code: number,
    message: string,
    readonly data?: unknown,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }

  /** The JSON-RPC error object sent on the wire. */
  toJSON(): RpcErrorObject {
    return this.data === undefined
      ? { code: this.code, message: this.message }
      : { code: this.code, message: this.message, data: this.data };
  }
}
RpcError.prototype.name = 'RpcError';

/** True for any {@link RpcError}, across realms and duplicate installs. */
export function isRpcError(value: unknown): value is RpcError {
  return typeof value === 'object' && value !== null && RPC_ERROR in value;
}
