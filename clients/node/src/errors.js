// Error classes mirroring the bridge's wire errors (protocol/README.md, "Errors").
//
// Every error the bridge answers becomes a TiledeskRPCError (or the subclass for its code) with the
// wire `code`, `message` and `data` untouched. Failures of the transport itself (the process died,
// the caller aborted, the client-side timeout fired) use the same hierarchy so a single
// `instanceof TiledeskRPCError` catches everything a call can throw.

/** Base class: one JSON-RPC error as the bridge sent it. */
export class TiledeskRPCError extends Error {
  /**
   * @param {number} code
   * @param {string} message
   * @param {unknown} [data]
   * @param {{cause?: unknown}} [options]
   */
  constructor(code, message, data, options) {
    super(message, options);
    this.name = new.target.name;
    /** @type {number} */
    this.code = code;
    /** @type {any} */
    this.data = data;
  }

  /** `data.retryable` as the bridge reported it (false when absent). */
  get retryable() {
    return Boolean(this.data && typeof this.data === 'object' && this.data.retryable === true);
  }

  /** The wire form `{code, message, data?}`. */
  toJSON() {
    const out = { name: this.name, code: this.code, message: this.message };
    if (this.data !== undefined) out.data = this.data;
    return out;
  }
}

// JSON-RPC 2.0 codes.
export class ParseError extends TiledeskRPCError {}
export class InvalidRequest extends TiledeskRPCError {}
export class MethodNotFound extends TiledeskRPCError {}
export class InvalidParams extends TiledeskRPCError {}
export class InternalError extends TiledeskRPCError {}
/** -32000..-32099: implementation-defined server errors. */
export class ServerError extends TiledeskRPCError {}
/** -32800: the request was cancelled (by `$/cancelRequest`, an AbortSignal or a timeout). */
export class Cancelled extends TiledeskRPCError {}
/**
 * Client-side: the call's timeout elapsed; the call was cancelled on the bridge. Code -32800;
 * `data` holds `retryable`, `id` (a batch: `ids`), `method` and `timeout` (ms).
 */
export class CallTimeout extends Cancelled {}

// Application codes, mirroring HTTP.
export class NotAuthenticated extends TiledeskRPCError {}
export class Forbidden extends TiledeskRPCError {}
export class NotFound extends TiledeskRPCError {}
export class Conflict extends TiledeskRPCError {}
export class RateLimited extends TiledeskRPCError {
  /** Seconds to wait before retrying, when the server said (`data.retry_after`). */
  get retryAfter() {
    const v = this.data && typeof this.data === 'object' ? this.data.retry_after : undefined;
    return typeof v === 'number' ? v : undefined;
  }
}
export class UpstreamError extends TiledeskRPCError {}
export class UpstreamUnavailable extends TiledeskRPCError {}
export class UpstreamTimeout extends TiledeskRPCError {}

/**
 * Client-side: the bridge process is gone (it exited, was killed, or the client was closed)
 * before answering. `data` is `{exitCode, signal, stderr}`; `stderr` is the tail of its stderr.
 */
export class BridgeClosed extends TiledeskRPCError {
  /** The tail of the bridge's stderr (may be empty). */
  get stderr() {
    return (this.data && this.data.stderr) || '';
  }
}
/** Code used by BridgeClosed: never sent by the bridge, chosen in the implementation-defined range. */
BridgeClosed.CODE = -32099;

/**
 * A poll of a watch failed (`team.watchError`, sent once per streak of failures); the bridge goes
 * on polling. `code`, `message` and `data` are the failure's; `error` is the same failure as the
 * class of its code, `subscription` the watch's id.
 */
export class WatchError extends TiledeskRPCError {
  /**
   * @param {{code: number, message: string, data?: unknown}} error
   * @param {string|number|undefined} subscription
   */
  constructor(error, subscription) {
    super(error.code, error.message, error.data);
    this.subscription = subscription;
  }

  /** The failure as the TiledeskRPCError subclass of its code. */
  get error() {
    return errorFromWire({ code: this.code, message: this.message, data: this.data });
  }
}

/** Thrown by `TiledeskRPC.spawn` when the executable cannot be found or started. */
export class BridgeNotFound extends Error {
  /**
   * @param {string} message
   * @param {{binary?: string, cause?: unknown}} [info]
   */
  constructor(message, info = {}) {
    super(message, info.cause !== undefined ? { cause: info.cause } : undefined);
    this.name = 'BridgeNotFound';
    this.binary = info.binary;
  }
}

/**
 * Thrown by `TiledeskRPC.spawn` when the bridge refused a setting or flag at start-up (a project
 * id that is not an ObjectId, an unknown flag, ...): it exited 2 before serving. The message is
 * the bridge's own.
 */
export class ConfigurationError extends Error {
  /**
   * @param {string} message
   * @param {{exitCode: number|null, stderr: string}} info
   */
  constructor(message, info) {
    super(message);
    this.name = 'ConfigurationError';
    this.exitCode = info.exitCode;
    this.stderr = info.stderr;
  }
}

/** Wire code → class. */
export const ERROR_CLASSES = Object.freeze({
  [-32700]: ParseError,
  [-32600]: InvalidRequest,
  [-32601]: MethodNotFound,
  [-32602]: InvalidParams,
  [-32603]: InternalError,
  [-32800]: Cancelled,
  401: NotAuthenticated,
  403: Forbidden,
  404: NotFound,
  409: Conflict,
  429: RateLimited,
  502: UpstreamError,
  503: UpstreamUnavailable,
  504: UpstreamTimeout,
});

/**
 * Turn a wire error object `{code, message, data}` into the matching class.
 * @param {any} error
 * @returns {TiledeskRPCError}
 */
export function errorFromWire(error) {
  const code = error && typeof error.code === 'number' ? error.code : -32603;
  const message =
    error && typeof error.message === 'string' ? error.message : 'malformed error from the bridge';
  let Cls = ERROR_CLASSES[code];
  if (!Cls) Cls = code <= -32000 && code >= -32099 ? ServerError : TiledeskRPCError;
  return new Cls(code, message, error ? error.data : undefined);
}
