// The helpers that answer with a stream rather than one result, written by hand; the client mounts
// them where src/api.js's ENGINE_HELPERS names them. `client.team.watch()`: the team's changes as
// the bridge finds them.
//
// `team.watch` answers `{subscription, teammates, invitations}`; then, each time a poll finds a
// difference, the bridge sends `team.changed` `{subscription, project_id, changes}`; a failed
// poll is reported once per streak as `team.watchError` `{subscription, error}` and polling goes
// on. `team.unwatch` `{subscription}` ends it.
import { EventEmitter } from 'node:events';

import { BridgeClosed, WatchError } from './errors.js';
import { toWire } from './params.js';

const WATCH = 'team.watch';
const UNWATCH = 'team.unwatch';
const WATCH_ERROR = 'team.watchError';
const CLOSED = Symbol('closed');

const idOf = (record) => String(record.id ?? record._id);
const byId = (records) => new Map((Array.isArray(records) ? records : []).filter((r) => r && typeof r === 'object').map((r) => [idOf(r), r]));

/**
 * A watch of the team: an async iterable of the changes (`for await (const change of watch)`) and
 * an EventEmitter (`'change'`, `'error'` for a failed poll, `'end'` when the bridge is gone). While
 * a `'change'` (or `'error'`) listener is attached, those are emitted rather than kept for the
 * loop. `teammates` and `invitations` (Maps by id) hold the team as the watch's answer gave it,
 * then as of each poll whose changes the watch has begun to give out (all the changes one poll
 * found are applied together, when the first of them is yielded or emitted).
 *
 * Leaving the loop (`break`, `return`, an exception of your own) unwatches, as does `close()`.
 * A failed poll throws WatchError from the loop and the watch goes on: catch it and loop again.
 * When the bridge exits, the loop throws BridgeClosed.
 */
export class TeamWatch extends EventEmitter {
  constructor(client, params, options) {
    super();
    /** The watch's subscription id, once it started. */
    this.subscription = undefined;
    /** Teammate id → teammate. */
    this.teammates = new Map();
    /** Invitation id → pending invitation. */
    this.invitations = new Map();
    this._client = client;
    this._options = options;
    this._queue = []; // changes, and the errors to throw, kept for the loop
    this._waiting = []; // loops waiting for the next item
    this._end = undefined; // the error that ended the watch (the bridge went away)
    this._closing = undefined;
    let wire;
    try {
      wire = toWire(params);
    } catch (err) {
      this.ready = Promise.reject(err);
      this.ready.catch(() => {});
      return;
    }
    /** Resolves with the watch once it started (rejects with the error of `team.watch`). */
    this.ready = client
      .subscribe(WATCH, wire, {
        ...options,
        onAnswer: (answer) => {
          this.subscription = answer.subscription;
          this.teammates = byId(answer.teammates);
          this.invitations = byId(answer.invitations);
        },
        onNotification: (method, notice) => this._notice(method, notice),
        onEnd: (error) => this._finish(error),
      })
      .then((subscription) => {
        this._subscription = subscription;
        return this;
      });
    this.ready.catch(() => {}); // the loop, or whoever awaits `ready`, gets the error
  }

  /** Each change, as the bridge finds it; see the class. */
  async *[Symbol.asyncIterator]() {
    await this.ready;
    let failed = false;
    try {
      for (;;) {
        const item = await this._next();
        if (item === CLOSED) return;
        yield item;
      }
    } catch (err) {
      failed = true;
      throw err;
    } finally {
      if (!failed) await this.close();
    }
  }

  /** Unwatch (`team.unwatch`); nothing to do once the bridge is gone. Safe to call twice. */
  close() {
    if (!this._closing) {
      this._closing = this._unwatch();
      this._wake(CLOSED);
    }
    return this._closing;
  }

  async _unwatch() {
    try {
      await this.ready;
    } catch {
      return; // never started
    }
    this._subscription.cancel();
    try {
      await this._client.call(UNWATCH, { subscription: this.subscription }, this._options);
    } catch (err) {
      if (!(err instanceof BridgeClosed)) throw err;
    }
  }

  _notice(method, params) {
    if (method === WATCH_ERROR) {
      const error = params.error && typeof params.error === 'object' ? params.error : {};
      this._offer('error', new WatchError({ code: error.code ?? -32603, message: String(error.message ?? ''), data: error.data }, this.subscription));
      return;
    }
    const changes = (Array.isArray(params.changes) ? params.changes : []).filter((c) => c && typeof c === 'object');
    // One poll's changes are applied together, when the first of them is given out.
    changes.forEach((change, i) => this._offer('change', { change, poll: i === 0 ? changes : undefined }));
  }

  /** Bring the view up to date with a poll's changes. */
  _applyPoll(changes) {
    for (const change of changes) {
      const invitation = change.kind === 'invited' || change.kind === 'invitation_removed';
      const records = invitation ? this.invitations : this.teammates;
      const record = invitation ? change.invitation : change.teammate;
      if (!record || typeof record !== 'object') continue;
      if (change.kind === 'left' || change.kind === 'invitation_removed') records.delete(idOf(record));
      else records.set(idOf(record), record);
    }
  }

  /** Emit to the listeners of `event`, or keep for the loop when there is none. */
  _offer(event, item) {
    if (this.listenerCount(event) === 0) {
      this._wake(item);
      return;
    }
    if (event === 'change') {
      if (item.poll) this._applyPoll(item.poll);
      this.emit(event, item.change);
    } else {
      this.emit(event, item);
    }
  }

  _finish(error) {
    this._end = error;
    if (this.listenerCount('end') > 0) this.emit('end', error);
    this._wake(undefined);
  }

  /** Hand `item` to a waiting loop, or queue it (undefined: only wake them to see the end). */
  _wake(item) {
    if (item === CLOSED) {
      this._queue = [];
      for (const waiter of this._waiting.splice(0)) waiter(CLOSED);
      return;
    }
    if (item !== undefined) this._queue.push(item);
    while (this._waiting.length && (this._queue.length || this._end)) this._waiting.shift()(this._take());
  }

  /** The next item: `{change, poll}`; an Error (rejects); CLOSED once closed. */
  _take() {
    if (this._closing) return CLOSED;
    if (this._queue.length) return this._queue.shift();
    return this._end;
  }

  async _next() {
    const item = this._queue.length || this._end || this._closing ? this._take() : await new Promise((resolve) => this._waiting.push(resolve));
    if (item instanceof Error) throw item;
    if (item === CLOSED) return item;
    if (item.poll) this._applyPoll(item.poll);
    return item.change;
  }
}

if (typeof Symbol.asyncDispose === 'symbol') {
  // `await using watch = client.team.watch()`
  TeamWatch.prototype[Symbol.asyncDispose] = function asyncDispose() {
    return this.close();
  };
}

/** The hand-written helpers, by group and name (src/api.js's ENGINE_HELPERS lists them). */
export const STREAMS = Object.freeze({
  team: Object.freeze({
    /** `client.team.watch({ projectId, interval }, { timeout })`: a TeamWatch, started at once. */
    watch: (client, params, options) => new TeamWatch(client, params, options),
  }),
});
