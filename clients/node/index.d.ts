// Type definitions for tiledesk-rpc (the Node client of the tiledesk-rpc bridge): the engine, by
// hand; the method groups, their options and the result types are generated into api.d.ts from
// protocol/openrpc.json. The engine's types use Node's own (`@types/node`, an optional peer).
/// <reference types="node" />

import { EventEmitter } from 'node:events';

import type { Groups, Invitation, Teammate } from './api.js';

export * from './api.js';

// ---------------------------------------------------------------------------------------------
// Options

/** How to start the bridge. Every setting is optional. */
export interface SpawnOptions {
  /**
   * Path (or name on PATH) of the executable. Default: `TILEDESK_RPC_BIN`, else `tiledesk-rpc` on
   * PATH. Build it with `swift build -c release` (→ `.build/release/tiledesk-rpc`).
   */
  binary?: string;
  /** Serve everything from the embedded emulator (`TILEDESK_SANDBOX=1`); no network. */
  sandbox?: boolean;
  /** API root (`TILEDESK_API_URL`), e.g. `http://localhost:8081/api`. */
  apiUrl?: string;
  /** A Tiledesk JWT, with or without the `JWT ` prefix (`TILEDESK_TOKEN`). */
  token?: string;
  /** Sign-in e-mail (`TILEDESK_EMAIL`); with `password` the bridge signs in once. */
  email?: string;
  /** Sign-in password (`TILEDESK_PASSWORD`). */
  password?: string;
  /** Default project for calls that pass no `projectId` (`TILEDESK_PROJECT_ID`). */
  projectId?: string;
  /** `TILEDESK_LOG_LEVEL`: the bridge's stderr verbosity. */
  logLevel?: 'error' | 'warn' | 'info' | 'debug';
  /** `TILEDESK_TIMEOUT`: seconds per upstream HTTP attempt (bridge side). */
  upstreamTimeout?: number;
  /** `TILEDESK_RETRIES`: extra upstream attempts for retryable failures. */
  retries?: number;
  /** `TILEDESK_MAX_RATE`: upstream requests per second at most. */
  maxRate?: number;
  /**
   * Default client-side timeout of every call, in milliseconds (0 or absent: none). A call that
   * times out rejects with CallTimeout and is cancelled on the bridge.
   */
  timeout?: number;
  /**
   * Pass the caller's `TILEDESK_*` variables on to the bridge (default true); the options above
   * win over them. With `sandbox: true` the ones naming a server or an account (URL, token,
   * e-mail, password, project) are never passed on.
   */
  inheritSettings?: boolean;
  /**
   * Extra environment entries for the child (they win over the settings above; `undefined` or
   * `null` removes a variable). Beside the settings, the child gets only the basics of the
   * caller's environment (`BASIC_ENV_VARS`: PATH, HOME, locale, TLS trust, proxies).
   */
  env?: Record<string, string | undefined | null>;
  /** Extra command-line flags, e.g. `['--sandbox-latency', '2']` or `['--max-rate', '5']`. */
  args?: string[];
  /** Working directory of the child. */
  cwd?: string;
  /** How much of the bridge's stderr to keep for error messages (characters; default 16384). */
  stderrTailBytes?: number;
  /** Called with every protocol line sent to (`'send'`) or received from (`'recv'`) the bridge. */
  trace?: (direction: 'send' | 'recv', line: string) => void;
}

/** Per-call options. */
export interface CallOptions {
  /** Milliseconds; overrides the client's default (0 or Infinity: no timeout). */
  timeout?: number;
  /** Aborting rejects the call with Cancelled and sends `$/cancelRequest` to the bridge. */
  signal?: AbortSignal;
}

/** Per-call options of a method that reports progress (`team.apply`). */
export interface ProgressOptions extends CallOptions {
  /**
   * Called with each progress report while the call runs (the client sends
   * `_meta.progressToken` for you). An exception it throws cancels the call, which rejects with
   * it. A bridge too old to report progress answers without reports.
   */
  onProgress?: (report: Progress) => void;
}

/** One progress report: `done` of `total` steps finished, the last being `action`. */
export interface Progress {
  done: number;
  total: number;
  /** For `team.apply`: the roster action just carried out, as its plan lists it. */
  action: { action: string; email: string; [key: string]: unknown };
  [key: string]: unknown;
}

// ---------------------------------------------------------------------------------------------
// Watching the team

/** Options of `team.watch`. */
export interface TeamWatchParams {
  /** The project (24-hex id). Optional when a default project is configured. */
  projectId?: string;
  /** Seconds between polls: default 30, at least 5. */
  interval?: number;
}

/** What happened: a teammate joined, left or was updated; an invitation was sent or is gone. */
export type ChangeKind = 'joined' | 'left' | 'updated' | 'invited' | 'invitation_removed';

/** One change a poll found. */
export interface TeamChange {
  kind: ChangeKind;
  /** The teammate, as it is now (or was when it left). */
  teammate?: Teammate;
  /** The invitation of `invited` / `invitation_removed`. */
  invitation?: Invitation;
  /**
   * For `updated`: each changed field (role, status, trashed, user_available, profileStatus,
   * presence status, isBusy, max_assigned_chat), before and after.
   */
  fields?: Record<string, { from: unknown; to: unknown }>;
  [key: string]: unknown;
}

/**
 * A watch of the team (`client.team.watch()`), started at once: an async iterable of the changes
 * the bridge finds, and an EventEmitter (`'change'`, `'error'` for a failed poll, `'end'` when the
 * bridge is gone; while a `'change'` or `'error'` listener is attached, those are emitted rather
 * than kept for the loop). Leaving the loop (`break`, `return`, an exception of yours) unwatches,
 * as does `close()`. A failed poll throws WatchError from the loop and the watch goes on: catch
 * it and loop again. When the bridge exits, the loop throws BridgeClosed.
 */
export class TeamWatch extends EventEmitter implements AsyncIterable<TeamChange> {
  /** The subscription id, once started. */
  readonly subscription: string | number | undefined;
  /** Teammate id → teammate: the watch's first answer, with every change given out since. */
  readonly teammates: Map<string, Teammate>;
  /** Invitation id → pending invitation, likewise. */
  readonly invitations: Map<string, Invitation>;
  /** Resolves once `team.watch` answered; rejects with its error. */
  readonly ready: Promise<TeamWatch>;
  [Symbol.asyncIterator](): AsyncIterator<TeamChange>;
  /** Unwatch (`team.unwatch`); nothing to do once the bridge is gone. Idempotent. */
  close(): Promise<void>;
  on(event: 'change', listener: (change: TeamChange) => void): this;
  on(event: 'error', listener: (error: WatchError) => void): this;
  on(event: 'end', listener: (error: BridgeClosed) => void): this;
  on(event: string | symbol, listener: (...args: any[]) => void): this;
}

/** The helpers of `team.*` the engine writes by hand. */
export interface TeamStreams {
  /**
   * Watch the team: the bridge polls it every `interval` seconds and the TeamWatch gives each
   * change it finds. `options.timeout` bounds the subscribing and unsubscribing calls.
   *
   * `team.watch`, then `team.changed` / `team.watchError`; `team.unwatch`
   */
  watch(params?: TeamWatchParams, options?: CallOptions): TeamWatch;
}

/** What `subscribe` resolves to. */
export interface Subscription<T = any> {
  /** The subscription's id. */
  id: string | number;
  /** The method's answer. */
  answer: T;
  /** Stop listening (the caller ends the subscription on the bridge). */
  cancel(): void;
}

/** Options of `subscribe`. */
export interface SubscribeOptions extends CallOptions {
  /** Called with the answer as it arrives, before any notification of the subscription. */
  onAnswer?: (answer: any) => void;
  /** Takes each notification naming the subscription. */
  onNotification: (method: string, params: any) => void;
  /** Called if the bridge goes away first. */
  onEnd?: (error: BridgeClosed) => void;
}

// ---------------------------------------------------------------------------------------------
// Rosters

/** One person of a roster: what `team.plan` / `team.apply` take in `roster` (wire names). */
export interface RosterEntry {
  email: string;
  role: 'agent' | 'supervisor' | 'admin';
  user_available?: boolean;
  max_assigned_chat?: number;
  groups?: string[];
}

/** The entries of a roster file, in order, with the line each came from. */
export class Roster extends Array<RosterEntry> {
  /** The file it was read from. */
  source: string;
  /** The line each entry starts on. */
  lines: number[];
  /** Where a field the bridge names (`roster[3].role`) is: `roster.csv line 5 (role)`. */
  where(field: string): string;
}

/** A roster that cannot be used; the message names the file and the line. */
export class RosterError extends Error {
  readonly source: string;
  readonly line: number | undefined;
  readonly reason: string;
}

/** The roles a roster may give. */
export const ROSTER_ROLES: readonly ['agent', 'supervisor', 'admin'];
/**
 * The roster in a file: JSON (an array of entries, or `{"roster": [...]}`) when its name ends in
 * `.json`, else CSV (header `email,role[,user_available][,max_assigned_chat][,groups]`; groups
 * separated by `;`; booleans true/false/yes/no/1/0). Throws RosterError naming the line.
 */
export function readRoster(file: string): Roster;
/** The roster in CSV text; `source` names it in errors. */
export function parseRosterCsv(text: string, source?: string): Roster;
/** The roster in JSON text; `source` names it in errors. */
export function parseRosterJson(text: string, source?: string): Roster;

/** The OpenRPC document (`rpc.discover`). */
export interface OpenRPCDocument {
  openrpc: string;
  info: { title: string; version: string; [key: string]: unknown };
  methods: Array<{ name: string; [key: string]: unknown }>;
  [key: string]: unknown;
}

// ---------------------------------------------------------------------------------------------
// Batch

export interface BatchCall {
  method: string;
  /** Sent as given (wire names, snake_case). */
  params?: Record<string, unknown> | unknown[];
}

/**
 * One outcome per batch member, in input order: exactly one of `result` (the member succeeded)
 * or `error` (the bridge answered that member with an error).
 */
export type BatchOutcome<T = any> = { result: T; error?: undefined } | { error: TiledeskRPCError; result?: undefined };

// ---------------------------------------------------------------------------------------------
// Client

/** The method groups of a client (generated: `Groups` in api.d.ts). */
export interface TiledeskRPC extends Groups {}

/**
 * A running bridge process. Calls resolve with the bridge's result untouched and reject with a
 * TiledeskRPCError subclass. The client does not keep Node alive while no call is pending; still
 * call `close()` when done.
 *
 * Events: `'exit'` ({code, signal}) once the process is gone; `'stderr'` (chunk) for each piece
 * of stderr; `'message'` for a line that answers no pending call (e.g. an error with id null).
 */
export class TiledeskRPC extends EventEmitter {
  /**
   * Start the bridge; resolves once it answered a `ping`. Rejects BridgeNotFound, or
   * ConfigurationError when the bridge refused a setting (with its own message).
   */
  static spawn(options?: SpawnOptions): Promise<TiledeskRPC>;

  /** The executable that was started. */
  readonly binary: string;
  /** Its process id. */
  readonly pid: number | undefined;
  /** The last part of its stderr. */
  readonly stderrTail: string;
  /** Resolves once the process is gone. */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;

  /**
   * Call any method with wire params (sent as given). Rejects with the TiledeskRPCError subclass
   * of the answer; Cancelled on abort; CallTimeout on timeout; BridgeClosed if the process
   * goes away first.
   */
  call<T = any>(method: string, params?: Record<string, unknown> | unknown[], options?: ProgressOptions): Promise<T>;

  /**
   * Call a method that answers `{subscription, ...}` and sends notifications naming it
   * afterwards (`team.watch`); see SubscribeOptions. Ending it on the bridge is the caller's part.
   */
  subscribe<T = any>(method: string, params: Record<string, unknown> | undefined, options: SubscribeOptions): Promise<Subscription<T>>;

  /**
   * Send the calls as one JSON-RPC batch (one line) and resolve to one outcome per call, in input
   * order. Per-member errors are outcomes, not rejections. The returned promise rejects only when
   * the batch as a whole could not be answered: BridgeClosed, Cancelled (signal) or
   * CallTimeout; every unanswered member is then cancelled on the bridge. An empty array
   * resolves to `[]` without sending anything.
   */
  batch(calls: BatchCall[], options?: CallOptions): Promise<BatchOutcome[]>;

  /** Send a notification (no answer). */
  notify(method: string, params?: Record<string, unknown> | unknown[]): void;

  /** `{}` when the bridge answers. */
  ping(options?: CallOptions): Promise<Record<string, never>>;
  /** The OpenRPC document (`rpc.discover`). */
  discover(options?: CallOptions): Promise<OpenRPCDocument>;

  /**
   * Close stdin (the bridge finishes the calls in flight and exits), wait up to `timeout` ms
   * (default 5000), then SIGKILL. Resolves once the process is gone; idempotent.
   */
  close(options?: { timeout?: number }): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

export default TiledeskRPC;

/** Find the executable as `spawn` does; throws BridgeNotFound. */
export function resolveBinary(binary?: string): string;
/** The child's environment as `spawn` builds it. */
export function buildEnv(options?: SpawnOptions): Record<string, string>;
/** camelCase options → wire params (the renames of PARAM_NAMES; undefined dropped; values untouched). */
export function toWire(options?: Record<string, unknown> | null): Record<string, unknown>;
/** Helper option (camelCase) → wire param, for every param whose two names differ. */
export const PARAM_NAMES: Readonly<Record<string, string>>;
/**
 * Each group's helpers: their wire method, whether they take params, whether they report
 * progress, and for a walk over every page, the field holding each page's items.
 */
export const GROUPS: Readonly<Record<string, Readonly<Record<string, Readonly<{ method: string; params: boolean; progress?: true; pages?: string }>>>>>;
/** The helpers the engine writes by hand, by group (`team.watch`). */
export const ENGINE_HELPERS: Readonly<Record<string, readonly string[]>>;
/** The caller's variables every bridge gets (when set). */
export const BASIC_ENV_VARS: readonly string[];
/** Each spawn option that sets a variable: [option, variable, names a server or an account]. */
export const SETTINGS: ReadonlyArray<readonly [string, string, boolean]>;

// ---------------------------------------------------------------------------------------------
// Errors

/** One error answered by the bridge (or a client-side failure using the same shape). */
export class TiledeskRPCError extends Error {
  constructor(code: number, message: string, data?: unknown, options?: { cause?: unknown });
  /** The JSON-RPC error code. */
  readonly code: number;
  /**
   * `error.data` as sent: always `retryable`; upstream failures add `http_status`, `upstream`,
   * `tiledesk_code`, `request`; -32602 names the offending field.
   */
  readonly data: any;
  /** `data.retryable === true`. */
  readonly retryable: boolean;
  toJSON(): { name: string; code: number; message: string; data?: unknown };
}

/** -32700 */
export class ParseError extends TiledeskRPCError {}
/** -32600 (also thrown locally for a request longer than the bridge's line limit) */
export class InvalidRequest extends TiledeskRPCError {}
/** -32601 */
export class MethodNotFound extends TiledeskRPCError {}
/** -32602: a parameter the bridge checked itself; the field is in `data`. */
export class InvalidParams extends TiledeskRPCError {}
/** -32603 */
export class InternalError extends TiledeskRPCError {}
/** -32000..-32099 */
export class ServerError extends TiledeskRPCError {}
/** -32800: cancelled (by the bridge, an AbortSignal — `cause` is the signal's reason — or a timeout). */
export class Cancelled extends TiledeskRPCError {}
/** Client side, code -32800: the call's timeout elapsed; it was cancelled on the bridge. */
export class CallTimeout extends Cancelled {}
/** 401 */
export class NotAuthenticated extends TiledeskRPCError {}
/** 403 */
export class Forbidden extends TiledeskRPCError {}
/** 404 */
export class NotFound extends TiledeskRPCError {}
/** 409 */
export class Conflict extends TiledeskRPCError {}
/** 429 */
export class RateLimited extends TiledeskRPCError {
  /** `data.retry_after` in seconds, when known. */
  readonly retryAfter: number | undefined;
}
/** 502 */
export class UpstreamError extends TiledeskRPCError {}
/** 503 */
export class UpstreamUnavailable extends TiledeskRPCError {}
/** 504 */
export class UpstreamTimeout extends TiledeskRPCError {}
/**
 * Client side, code -32099: the bridge process went away (exited, killed or closed) before
 * answering. The message ends with the tail of its stderr.
 */
export class BridgeClosed extends TiledeskRPCError {
  static readonly CODE: -32099;
  readonly data: { exitCode: number | null; signal: NodeJS.Signals | null; stderr: string };
  /** The tail of the bridge's stderr. */
  readonly stderr: string;
}
/**
 * A poll of a watch failed (`team.watchError`); the watch goes on. `code`, `message`, `data` are
 * the failure's.
 */
export class WatchError extends TiledeskRPCError {
  /** The watch's subscription id. */
  readonly subscription: string | number | undefined;
  /** The failure as the class of its code. */
  readonly error: TiledeskRPCError;
}
/** `spawn` could not find or start the executable; the message says how to build it. */
export class BridgeNotFound extends Error {
  readonly binary: string | undefined;
}
/** `spawn`: the bridge refused a setting or flag at start-up (it exited 2); its own message. */
export class ConfigurationError extends Error {
  /** The bridge's exit status (2). */
  readonly exitCode: number | null;
  /** Everything the bridge wrote to stderr. */
  readonly stderr: string;
}

/** Wire code → error class. */
export const ERROR_CLASSES: Readonly<Record<number, typeof TiledeskRPCError>>;
/** A wire error object → an instance of its class. */
export function errorFromWire(error: { code: number; message: string; data?: unknown }): TiledeskRPCError;
