// tiledesk-rpc: Node client for the tiledesk-rpc bridge (line-delimited JSON-RPC 2.0 over stdio).
export { TiledeskRPC, resolveBinary, buildEnv } from './src/client.js';
export { toWire, PARAM_NAMES } from './src/params.js';
export {
  TiledeskRPCError,
  ParseError,
  InvalidRequest,
  MethodNotFound,
  InvalidParams,
  InternalError,
  ServerError,
  Cancelled,
  RequestTimeout,
  NotAuthenticated,
  Forbidden,
  NotFound,
  Conflict,
  RateLimited,
  UpstreamError,
  UpstreamUnavailable,
  UpstreamTimeout,
  BridgeClosed,
  BridgeNotFound,
  ERROR_CLASSES,
  errorFromWire,
} from './src/errors.js';
export { TiledeskRPC as default } from './src/client.js';
