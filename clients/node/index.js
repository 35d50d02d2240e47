// tiledesk-rpc: Node client for the tiledesk-rpc bridge (line-delimited JSON-RPC 2.0 over stdio).
export { TiledeskRPC, resolveBinary, buildEnv } from './src/client.js';
export { toWire } from './src/params.js';
export { ENGINE_HELPERS, GROUPS, PARAM_NAMES } from './src/api.js';
export { BASIC_ENV_VARS, SETTINGS } from './src/environment.js';
export { TeamWatch } from './src/streams.js';
export { ROSTER_ROLES, Roster, RosterError, parseRosterCsv, parseRosterJson, readRoster } from './src/roster.js';
export * from './src/errors.js';
export { TiledeskRPC as default } from './src/client.js';
