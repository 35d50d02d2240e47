// The client: spawns the tiledesk-rpc bridge and speaks line-delimited JSON-RPC 2.0 with it.
//
// One process per client. Requests carry integer ids; answers are matched by id, so concurrent
// calls resolve in whatever order the bridge answers. Cancellation (AbortSignal or timeout)
// rejects locally at once and tells the bridge with `$/cancelRequest`; the bridge's late -32800
// answer is dropped. When the process goes away every pending call rejects with BridgeClosed,
// carrying the tail of its stderr, so no call can hang on a dead bridge. Notifications from the
// bridge (progress reports, a subscription's news) go to the listener of their route
// (src/notices.js).

import { spawn as spawnProcess } from 'node:child_process';
import { EventEmitter } from 'node:events';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { ENGINE_HELPERS, GROUPS } from './api.js';
import { BASIC_ENV_VARS, SETTINGS } from './environment.js';
import {
  BridgeClosed,
  BridgeNotFound,
  CallTimeout,
  Cancelled,
  ConfigurationError,
  InternalError,
  InvalidRequest,
  errorFromWire,
} from './errors.js';
import {
  isSubscriptionId,
  progressRoute,
  refusesProgress,
  routeOf,
  subscriptionRoute,
  withProgressToken,
} from './notices.js';
import { walkPages } from './pages.js';
import { toWire } from './params.js';
import { STREAMS } from './streams.js';

const BUILD_HINT =
  'Install the package tarball built by `make dist` (it bundles the binary), or build the bridge ' +
  'in the tiledesk-rpc repository with `make release` (swift build -c release ' +
  '--static-swift-stdlib; the executable is then .build/release/tiledesk-rpc) and pass its path ' +
  'as the `binary` option, set TILEDESK_RPC_BIN, or put it on PATH.';

/** The binary a package built by `make dist` carries (absent from a source checkout). */
const BUNDLED_BINARY = fileURLToPath(new URL('../bin/tiledesk-rpc', import.meta.url));

const DEFAULT_MAX_LINE_BYTES = 4 * 1024 * 1024;
const DEFAULT_STDERR_TAIL = 16 * 1024;
const DEFAULT_CLOSE_TIMEOUT = 5000;
/** The exit status of a bridge that refused its command line or environment. */
const USAGE_EXIT_STATUS = 2;

function isExecutable(file) {
  try {
    const st = fs.statSync(file);
    if (!st.isFile()) return false;
    if (process.platform === 'win32') return true;
    fs.accessSync(file, fs.constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function searchPath(name, pathVar) {
  if (!pathVar) return undefined;
  const exts =
    process.platform === 'win32'
      ? ['', ...(process.env.PATHEXT || '.EXE;.CMD;.BAT').split(';').filter(Boolean)]
      : [''];
  for (const dir of pathVar.split(path.delimiter)) {
    if (!dir) continue;
    for (const ext of exts) {
      const candidate = path.join(dir, name + ext);
      if (isExecutable(candidate)) return candidate;
    }
  }
  return undefined;
}

/**
 * Find the bridge executable: the `binary` option, else TILEDESK_RPC_BIN, else the binary bundled
 * in this package, else `tiledesk-rpc` on PATH. Throws BridgeNotFound, saying how to get one, when
 * none is usable.
 * @param {string} [binary]
 * @returns {string}
 */
export function resolveBinary(binary) {
  const tryExplicit = (value, origin) => {
    const hasDir = value.includes('/') || (process.platform === 'win32' && value.includes('\\'));
    const found = hasDir ? (isExecutable(value) ? value : undefined) : searchPath(value, process.env.PATH);
    if (!found) {
      throw new BridgeNotFound(
        `tiledesk-rpc executable not found or not executable: ${value} (from ${origin}). ${BUILD_HINT}`,
        { binary: value },
      );
    }
    return found;
  };
  if (binary !== undefined && binary !== null && binary !== '') {
    return tryExplicit(String(binary), 'the binary option');
  }
  if (process.env.TILEDESK_RPC_BIN) {
    return tryExplicit(process.env.TILEDESK_RPC_BIN, 'TILEDESK_RPC_BIN');
  }
  if (isExecutable(BUNDLED_BINARY)) return BUNDLED_BINARY;
  const onPath = searchPath('tiledesk-rpc', process.env.PATH);
  if (onPath) return onPath;
  throw new BridgeNotFound(`tiledesk-rpc executable not found. ${BUILD_HINT}`);
}

/**
 * The child's environment, in layers (a later one wins): the caller's basic variables
 * (BASIC_ENV_VARS: PATH, HOME, locale, TLS, proxies); unless `inheritSettings` is false, the
 * caller's TILEDESK_* variables but TILEDESK_RPC_BIN and, for `sandbox`, those naming a server or
 * an account (the sandbox has its own; a real token would be refused there); the settings in the
 * options (SETTINGS); then the `env` option's entries (`undefined` or `null` removes one).
 */
export function buildEnv(options = {}) {
  /** @type {Record<string, string>} */
  const env = {};
  for (const key of BASIC_ENV_VARS) {
    if (process.env[key] !== undefined) env[key] = process.env[key];
  }
  if (options.inheritSettings !== false) {
    const skipped = new Set(['TILEDESK_RPC_BIN']);
    for (const [, variable, account] of SETTINGS) if (options.sandbox && account) skipped.add(variable);
    for (const [key, value] of Object.entries(process.env)) {
      if (key.startsWith('TILEDESK_') && !skipped.has(key) && value !== undefined) env[key] = value;
    }
  }
  for (const [option, variable] of SETTINGS) {
    const value = options[option];
    if (value === true) env[variable] = '1';
    else if (value !== undefined && value !== null && value !== false && value !== '') env[variable] = String(value);
  }
  if (options.env) {
    for (const [key, value] of Object.entries(options.env)) {
      if (value === undefined || value === null) delete env[key];
      else env[key] = String(value);
    }
  }
  return env;
}

/** `--max-line-bytes N` among the bridge flags, else the bridge's default. */
function maxLineBytesFromArgs(args) {
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    let v;
    if (a === '--max-line-bytes') v = args[i + 1];
    else if (a.startsWith('--max-line-bytes=')) v = a.slice('--max-line-bytes='.length);
    if (v !== undefined && /^\d+$/.test(v)) return Number(v);
  }
  return DEFAULT_MAX_LINE_BYTES;
}

function lastLines(text, maxLines = 20, maxChars = 4000) {
  let t = text.length > maxChars ? text.slice(-maxChars) : text;
  const lines = t.trimEnd().split('\n');
  return lines.slice(-maxLines).join('\n');
}

function checkTimeout(value, what) {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || Number.isNaN(value) || value < 0) {
    throw new TypeError(`${what} must be a non-negative number of milliseconds, got ${value}`);
  }
  return value === 0 || value === Infinity ? undefined : value;
}

/**
 * A running tiledesk-rpc bridge. Create one with `await TiledeskRPC.spawn(options)`.
 */
export class TiledeskRPC extends EventEmitter {
  /**
   * Start the bridge and resolve once it answered a `ping`, so a setting the bridge refuses
   * rejects here with ConfigurationError (carrying the bridge's own message).
   * @param {import('../index.js').SpawnOptions} [options]
   * @returns {Promise<TiledeskRPC>}
   */
  static async spawn(options = {}) {
    const binary = resolveBinary(options.binary);
    const args = (options.args || []).map(String);
    const env = buildEnv(options);
    const defaultTimeout = checkTimeout(options.timeout, 'timeout');
    const child = spawnProcess(binary, args, {
      env,
      cwd: options.cwd,
      stdio: ['pipe', 'pipe', 'pipe'],
      windowsHide: true,
    });
    const client = new TiledeskRPC(child, {
      binary,
      args,
      defaultTimeout,
      stderrTailBytes: options.stderrTailBytes ?? DEFAULT_STDERR_TAIL,
      trace: options.trace,
    });
    await new Promise((resolve, reject) => {
      const onSpawn = () => {
        child.off('error', onError);
        resolve();
      };
      const onError = (err) => {
        child.off('spawn', onSpawn);
        reject(
          new BridgeNotFound(`cannot start tiledesk-rpc at ${binary}: ${err.message}. ${BUILD_HINT}`, {
            binary,
            cause: err,
          }),
        );
      };
      child.once('spawn', onSpawn);
      child.once('error', onError);
    });
    client._updateRef();
    try {
      await client.ping({ timeout: 0 }); // however long the bridge takes to start
    } catch (err) {
      await client.close();
      throw err instanceof BridgeClosed && err.data.exitCode === USAGE_EXIT_STATUS
        ? new ConfigurationError(err.stderr.trim() || `tiledesk-rpc exited with status ${USAGE_EXIT_STATUS} at start-up`, {
            exitCode: err.data.exitCode,
            stderr: err.stderr,
          })
        : err;
    }
    return client;
  }

  /**
   * Use TiledeskRPC.spawn(); the constructor wires an already spawned ChildProcess.
   * @param {import('node:child_process').ChildProcessWithoutNullStreams} child
   * @param {{binary: string, args: string[], defaultTimeout?: number, stderrTailBytes: number, trace?: Function}} config
   */
  constructor(child, config) {
    super();
    this._child = child;
    this.binary = config.binary;
    this._defaultTimeout = config.defaultTimeout;
    this._maxLineBytes = maxLineBytesFromArgs(config.args);
    this._stderrTailBytes = config.stderrTailBytes;
    this._trace = typeof config.trace === 'function' ? config.trace : undefined;

    this._nextId = 1;
    /** @type {Map<number, {method: string, onAnswer?: (r: any) => void, ok: (r: any) => void, fail: (e: Error) => void}>} */
    this._pending = new Map();
    /**
     * Route (src/notices.js) → who takes its notifications, and is told when the bridge is gone.
     * @type {Map<string, {notice: (method: string, params: any) => void, end: (error: Error) => void}>}
     */
    this._listeners = new Map();
    /** Ids cancelled by us whose late answer is still to come and must be dropped. */
    this._cancelled = new Set();
    this._stdoutBuffer = '';
    this._stderrTail = '';
    this._closing = false;
    this._gone = false;
    /** @type {{code: number|null, signal: string|null}|null} */
    this._exit = null;
    this._exitTimer = undefined;
    this.exited = new Promise((resolve) => {
      this._resolveExited = resolve;
    });

    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk) => this._onStdout(chunk));
    child.stdout.on('error', () => {});
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk) => this._onStderr(chunk));
    child.stderr.on('error', () => {});
    // EPIPE when the bridge is gone: its exit rejects whatever was pending.
    child.stdin.on('error', () => {});
    child.on('error', (err) => {
      // Spawn failures are reported by spawn(); a later error (e.g. kill failing) is only logged.
      this._onStderr(`[tiledesk-rpc client] ${err.message}\n`);
      if (child.pid === undefined) this._finalize();
    });
    child.on('exit', (code, signal) => {
      this._exit = { code, signal };
      // 'close' follows once stdout and stderr are drained; if something else holds the pipes
      // open, do not wait for it forever.
      this._exitTimer = setTimeout(() => this._finalize(), 2000);
    });
    child.on('close', (code, signal) => {
      if (!this._exit) this._exit = { code, signal };
      this._finalize();
    });

    for (const [group, methods] of Object.entries(GROUPS)) {
      const helpers = {};
      for (const [name, spec] of Object.entries(methods)) helpers[name] = this._generatedHelper(spec);
      for (const name of ENGINE_HELPERS[group] || []) {
        const make = STREAMS[group] && STREAMS[group][name];
        if (!make) throw new Error(`the engine lacks its helper ${group}.${name}`);
        helpers[name] = (options, callOptions) => make(this, options, callOptions);
      }
      this[group] = Object.freeze(helpers);
    }
  }

  /** The bridge's process id. */
  get pid() {
    return this._child.pid;
  }

  /** The last bytes the bridge wrote to stderr (bounded by `stderrTailBytes`). */
  get stderrTail() {
    return this._stderrTail;
  }

  /** The OpenRPC document of the bridge (`rpc.discover`). */
  discover(options) {
    return this.call('rpc.discover', undefined, options);
  }

  /** `{}` when the bridge is alive and answering. */
  ping(options) {
    return this.call('ping', undefined, options);
  }

  /**
   * Call one method. Params go on the wire as given (no key conversion); the result is what the
   * bridge answered. Rejects with a TiledeskRPCError subclass.
   *
   * `onProgress` asks for progress reports (`_meta.progressToken` is added to the params, which
   * must then be an object) and is called with each report `{done, total, action}` while the call
   * runs; an exception it throws cancels the call, which rejects with that exception. A bridge
   * too old to report progress answers the call without reports.
   * @param {string} method
   * @param {object|any[]} [params]
   * @param {{timeout?: number, signal?: AbortSignal, onProgress?: (report: any) => void}} [options]
   */
  call(method, params, options = {}) {
    const attempt = this._call(method, params, options);
    if (!options || typeof options.onProgress !== 'function') return attempt;
    return attempt.catch((err) => {
      if (!refusesProgress(err)) throw err;
      return this._call(method, params, { ...options, onProgress: undefined });
    });
  }

  /**
   * Call a method that answers `{subscription, ...}` (`team.watch`) and then sends notifications
   * naming that id. Resolves `{id, answer, cancel()}` once it answered. As the answer arrives,
   * before the bridge's next line is read (so nothing is missed), `onAnswer(answer)` is called;
   * then `onNotification(method, params)` takes each notification of the subscription, until
   * `cancel()`; `onEnd(error)` is called if the bridge goes first. Ending the subscription on the
   * bridge (`team.unwatch`) is the caller's part.
   * @param {string} method
   * @param {object} [params]
   * @param {{timeout?: number, signal?: AbortSignal, onAnswer?: (answer: any) => void, onNotification: (method: string, params: any) => void, onEnd?: (error: Error) => void}} options
   */
  async subscribe(method, params, options) {
    const { onAnswer = () => {}, onNotification, onEnd = () => {}, ...callOptions } = options;
    let route;
    const answer = await this._call(method, params, callOptions, (result) => {
      const id = result && result.subscription;
      if (!isSubscriptionId(id)) return;
      onAnswer(result);
      route = subscriptionRoute(id);
      this._listen(route, { notice: onNotification, end: onEnd });
    });
    if (route === undefined) {
      throw new InternalError(-32603, `${method} answered without a subscription id`, { retryable: false, result: answer });
    }
    return { id: answer.subscription, answer, cancel: () => this._unlisten(route) };
  }

  /** `call` without the fallback for bridges that predate progress; `onAnswer` sees a result first. */
  _call(method, params, options, onAnswer) {
    return new Promise((resolve, reject) => {
      if (typeof method !== 'string' || method === '') {
        throw new TypeError('method must be a non-empty string');
      }
      if (params !== undefined && (params === null || typeof params !== 'object')) {
        throw new TypeError('params must be an object or an array');
      }
      const { timeout, signal, onProgress } = options || {};
      const unavailable = this._unavailable(method);
      if (unavailable) return reject(unavailable);
      if (signal && signal.aborted) return reject(this._abortError(method, signal));

      const id = this._nextId++;
      const token = onProgress ? `progress-${id}` : undefined;
      const route = token && progressRoute(token);
      const message = { jsonrpc: '2.0', id, method };
      if (token) message.params = withProgressToken(params, token);
      else if (params !== undefined) message.params = params;
      const line = this._encode(message, method);

      const settle = (then) => (value) => {
        job.done();
        if (route) this._unlisten(route);
        then(value);
      };
      const job = this._job([id], method, timeout, signal, settle(reject));
      this._pending.set(id, { method, onAnswer, ok: settle(resolve), fail: settle(reject) });
      if (route) {
        this._listen(route, {
          notice: (_, report) => {
            try {
              onProgress(report.value ?? {});
            } catch (err) {
              job.giveUp(err);
            }
          },
          end: () => {},
        });
      }
      this._updateRef();
      this._write(line);
    });
  }

  /**
   * Send several calls as one JSON-RPC batch (one line). Resolves to one outcome per call, in
   * input order: `{result}` or `{error}` (a TiledeskRPCError). The batch as a whole rejects only
   * when it could not be answered: the bridge closed (BridgeClosed), the signal aborted
   * (Cancelled) or the timeout fired (CallTimeout); then every member is cancelled on the bridge.
   * @param {{method: string, params?: object|any[]}[]} calls
   * @param {{timeout?: number, signal?: AbortSignal}} [options]
   */
  batch(calls, options = {}) {
    return new Promise((resolve, reject) => {
      if (!Array.isArray(calls)) throw new TypeError('batch takes an array of {method, params}');
      calls.forEach((c, i) => {
        if (!c || typeof c.method !== 'string' || c.method === '') {
          throw new TypeError(`batch[${i}].method must be a non-empty string`);
        }
        if (c.params !== undefined && (c.params === null || typeof c.params !== 'object')) {
          throw new TypeError(`batch[${i}].params must be an object or an array`);
        }
      });
      if (calls.length === 0) return resolve([]);
      const { timeout, signal } = options || {};
      const unavailable = this._unavailable('batch');
      if (unavailable) return reject(unavailable);
      if (signal && signal.aborted) return reject(this._abortError('batch', signal));

      const ids = calls.map(() => this._nextId++);
      const messages = calls.map((c, i) => {
        const m = { jsonrpc: '2.0', id: ids[i], method: c.method };
        if (c.params !== undefined) m.params = c.params;
        return m;
      });
      const line = this._encode(messages, 'batch');

      const outcomes = new Array(calls.length);
      let remaining = calls.length;
      let settled = false;
      const batchState = {
        ids,
        complete: () => {
          // The batch's answer line is in; members it did not answer cannot be answered later.
          if (settled) return;
          for (let i = 0; i < ids.length; i++) {
            if (this._pending.delete(ids[i])) {
              outcomes[i] = {
                error: errorFromWire({
                  code: -32603,
                  message: 'the bridge answered the batch without a response for this call',
                }),
              };
              remaining--;
            }
          }
          finish();
        },
      };
      const finish = () => {
        if (settled || remaining > 0) return;
        settled = true;
        job.done();
        resolve(outcomes);
      };
      const job = this._job(ids, 'batch', timeout, signal, (err) => {
        settled = true;
        reject(err);
      });
      ids.forEach((id, i) => {
        this._pending.set(id, {
          method: calls[i].method,
          batch: batchState,
          ok: (result) => {
            outcomes[i] = { result };
            remaining--;
            finish();
          },
          fail: (error) => {
            if (error instanceof BridgeClosed) {
              // The transport failed: the batch as a whole rejects (once).
              if (!settled) {
                settled = true;
                job.done();
                for (const other of ids) this._pending.delete(other);
                reject(error);
              }
              return;
            }
            outcomes[i] = { error };
            remaining--;
            finish();
          },
        });
      });
      this._updateRef();
      this._write(line);
    });
  }

  /**
   * Send a notification (no id, no answer).
   * @param {string} method
   * @param {object|any[]} [params]
   */
  notify(method, params) {
    if (typeof method !== 'string' || method === '') {
      throw new TypeError('method must be a non-empty string');
    }
    const unavailable = this._unavailable(method);
    if (unavailable) throw unavailable;
    const message = { jsonrpc: '2.0', method };
    if (params !== undefined) message.params = params;
    this._write(JSON.stringify(message));
  }

  /**
   * Close stdin (the bridge finishes what is in flight and exits), wait up to `timeout` ms
   * (default 5000), then SIGKILL. Resolves with `{code, signal}` once the process is gone.
   * Calls still pending when it is gone reject with BridgeClosed.
   * @param {{timeout?: number}} [options]
   */
  close(options = {}) {
    if (this._closePromise) return this._closePromise;
    const timeout = options.timeout ?? DEFAULT_CLOSE_TIMEOUT;
    this._closing = true;
    this._updateRef();
    this._closePromise = (async () => {
      if (!this._gone) {
        try {
          this._child.stdin.end();
        } catch {
          // already closed
        }
        const killTimer = setTimeout(() => {
          try {
            this._child.kill('SIGKILL');
          } catch {
            // already gone
          }
        }, timeout);
        await this.exited;
        clearTimeout(killTimer);
      }
      return this._exit || { code: null, signal: null };
    })();
    return this._closePromise;
  }

  // ---- internals -------------------------------------------------------------------------

  /** The helper of a row of GROUPS (src/api.js). */
  _generatedHelper({ method, params, pages }) {
    if (pages) return (options, callOptions) => walkPages(this, method, options, pages, callOptions);
    if (params) return (options, callOptions) => this._helper(method, options, callOptions);
    return (callOptions) => this.call(method, undefined, callOptions);
  }

  /** Hand `route`'s notifications to `listener` until `_unlisten`; at once `end` if the bridge is gone. */
  _listen(route, listener) {
    if (this._gone) {
      listener.end(this._closedError('a subscription'));
      return;
    }
    this._listeners.set(route, listener);
    this._updateRef();
  }

  _unlisten(route) {
    this._listeners.delete(route);
    this._updateRef();
  }

  /** A helper call: camelCase options to wire params; a bad argument rejects, never throws. */
  _helper(method, params, options) {
    let wire;
    try {
      wire = toWire(params);
    } catch (err) {
      return Promise.reject(err);
    }
    return this.call(method, wire, options);
  }

  _unavailable(method) {
    if (this._gone) return this._closedError(method);
    if (this._closing) {
      return new BridgeClosed(BridgeClosed.CODE, `client is closed; cannot send ${method}`, {
        exitCode: null,
        signal: null,
        stderr: this._stderrTail,
      });
    }
    return undefined;
  }

  _encode(message, method) {
    const line = JSON.stringify(message);
    const bytes = Buffer.byteLength(line, 'utf8');
    if (bytes > this._maxLineBytes) {
      // The bridge would answer -32600 with id null, which cannot be matched to this call.
      throw new InvalidRequest(
        -32600,
        `request for ${method} is ${bytes} bytes, longer than the bridge's line limit of ${this._maxLineBytes}`,
        { bytes, max_line_bytes: this._maxLineBytes },
      );
    }
    return line;
  }

  _write(line) {
    if (this._trace) this._trace('send', line);
    try {
      this._child.stdin.write(line + '\n');
    } catch {
      // Stream destroyed: the exit handler rejects pending calls.
    }
  }

  /**
   * Timeout and abort handling for the calls with these ids. `fail` receives the error when the
   * call is given up; the ids are then cancelled on the bridge.
   */
  _job(ids, method, timeout, signal, fail) {
    // An explicit timeout (0 or Infinity: none) overrides the client's default.
    const ms =
      timeout === undefined || timeout === null ? this._defaultTimeout : checkTimeout(timeout, 'timeout');
    let timer;
    let onAbort;
    const done = () => {
      if (timer) clearTimeout(timer);
      timer = undefined;
      if (onAbort && signal) signal.removeEventListener('abort', onAbort);
      onAbort = undefined;
    };
    const giveUp = (error) => {
      done();
      let any = false;
      for (const id of ids) {
        if (this._pending.delete(id)) {
          any = true;
          this._cancelled.add(id);
          if (!this._gone && !this._child.stdin.destroyed && this._child.stdin.writable) {
            this._write(JSON.stringify({ jsonrpc: '2.0', method: '$/cancelRequest', params: { id } }));
          }
        }
      }
      this._updateRef();
      if (any) fail(error);
    };
    if (ms !== undefined) {
      timer = setTimeout(
        () =>
          giveUp(
            new CallTimeout(-32800, `${method} did not answer within ${ms} ms; it was cancelled on the bridge`, {
              retryable: true,
              ...(method === 'batch' ? { ids } : { id: ids[0] }),
              method,
              timeout: ms,
            }),
          ),
        ms,
      );
    }
    if (signal) {
      onAbort = () => giveUp(this._abortError(method, signal));
      signal.addEventListener('abort', onAbort, { once: true });
    }
    return { done, giveUp };
  }

  _abortError(method, signal) {
    return new Cancelled(-32800, `${method} cancelled by the caller`, { method }, {
      cause: signal.reason,
    });
  }

  _closedError(method) {
    const exit = this._exit || { code: null, signal: null };
    const how =
      exit.signal !== null && exit.signal !== undefined
        ? `was killed by ${exit.signal}`
        : exit.code !== null && exit.code !== undefined
          ? `exited with code ${exit.code}`
          : 'is gone';
    const tail = lastLines(this._stderrTail);
    const msg =
      `tiledesk-rpc ${how} before answering ${method}` + (tail ? `; its stderr ends with:\n${tail}` : '');
    return new BridgeClosed(BridgeClosed.CODE, msg, {
      exitCode: exit.code ?? null,
      signal: exit.signal ?? null,
      stderr: this._stderrTail,
    });
  }

  _onStderr(chunk) {
    this._stderrTail += chunk;
    if (this._stderrTail.length > this._stderrTailBytes) {
      this._stderrTail = this._stderrTail.slice(-this._stderrTailBytes);
    }
    if (this.listenerCount('stderr') > 0) this.emit('stderr', chunk);
  }

  _onStdout(chunk) {
    this._stdoutBuffer += chunk;
    let nl;
    while ((nl = this._stdoutBuffer.indexOf('\n')) !== -1) {
      const line = this._stdoutBuffer.slice(0, nl);
      this._stdoutBuffer = this._stdoutBuffer.slice(nl + 1);
      this._onLine(line);
    }
  }

  _onLine(rawLine) {
    const line = rawLine.endsWith('\r') ? rawLine.slice(0, -1) : rawLine;
    if (line.trim() === '') return;
    if (this._trace) this._trace('recv', line);
    let message;
    try {
      message = JSON.parse(line);
    } catch {
      this._onStderr(`[tiledesk-rpc client] unparsable line on stdout: ${line.slice(0, 200)}\n`);
      return;
    }
    if (Array.isArray(message)) {
      const batches = new Set();
      for (const m of message) {
        const entry = this._route(m);
        if (entry && entry.batch) batches.add(entry.batch);
      }
      for (const b of batches) b.complete();
      return;
    }
    this._route(message);
  }

  /** Settle the pending call this response answers (returns its entry), or route a notification. */
  _route(message) {
    if (message && typeof message === 'object' && message.id === undefined && typeof message.method === 'string') {
      this._notification(message);
      return undefined;
    }
    if (!message || typeof message !== 'object' || message.id === undefined || message.id === null) {
      this._unmatched(message);
      return undefined;
    }
    const entry = this._pending.get(message.id);
    if (!entry) {
      if (!this._cancelled.delete(message.id)) this._unmatched(message);
      return undefined;
    }
    this._pending.delete(message.id);
    if (message.error !== undefined) {
      entry.fail(errorFromWire(message.error));
    } else {
      if (entry.onAnswer) entry.onAnswer(message.result);
      entry.ok(message.result);
    }
    this._updateRef();
    return entry;
  }

  _notification(message) {
    const route = routeOf(message);
    const listener = route === undefined ? undefined : this._listeners.get(route);
    if (listener) listener.notice(message.method, message.params);
    else this._unmatched(message);
  }

  _unmatched(message) {
    if (this.listenerCount('message') > 0) this.emit('message', message);
  }

  /** Keep Node alive only while calls are pending, something listens, or the client is closing. */
  _updateRef() {
    if (this._gone) return;
    const needed = this._pending.size > 0 || this._listeners.size > 0 || this._closing;
    const method = needed ? 'ref' : 'unref';
    const child = this._child;
    for (const handle of [child, child.stdin, child.stdout, child.stderr]) {
      if (handle && typeof handle[method] === 'function') handle[method]();
    }
  }

  _finalize() {
    if (this._gone) return;
    this._gone = true;
    if (this._exitTimer) clearTimeout(this._exitTimer);
    if (this._stdoutBuffer.trim() !== '') {
      const rest = this._stdoutBuffer;
      this._stdoutBuffer = '';
      this._onLine(rest);
    }
    const pending = [...this._pending.values()];
    this._pending.clear();
    this._cancelled.clear();
    for (const entry of pending) entry.fail(this._closedError(entry.batch ? 'batch' : entry.method));
    const listeners = [...this._listeners.values()];
    this._listeners.clear();
    for (const listener of listeners) listener.end(this._closedError('a subscription'));
    for (const s of [this._child.stdin, this._child.stdout, this._child.stderr]) {
      try {
        s.destroy();
      } catch {
        // ignore
      }
    }
    const exit = this._exit || { code: null, signal: null };
    this._resolveExited(exit);
    this.emit('exit', exit);
  }
}

if (typeof Symbol.asyncDispose === 'symbol') {
  // `await using client = await TiledeskRPC.spawn(...)`
  TiledeskRPC.prototype[Symbol.asyncDispose] = function asyncDispose() {
    return this.close();
  };
}
