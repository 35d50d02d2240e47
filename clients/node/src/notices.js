// Notifications from the bridge and who they are for. Besides answers, the bridge sends
// notifications while work goes on: `$/progress` for a call that asked for progress reports (its
// `params._meta.progressToken`), and the notifications of a subscription (`team.changed`,
// `team.watchError`), each naming its `subscription`. The client hands each one to the listener
// of its route; one nobody listens for is emitted as a 'message' event and otherwise ignored.
import { InvalidParams } from './errors.js';

/** The notification carrying a progress report: `{token, value: {done, total, action}}`. */
export const PROGRESS = '$/progress';

/** The route of the progress reports of `token`. */
export const progressRoute = (token) => JSON.stringify(['token', token]);

/** The route of the notifications of subscription `id`. */
export const subscriptionRoute = (id) => JSON.stringify(['subscription', id]);

/**
 * The route of a notification, or undefined when it is for nobody.
 * @param {{method: string, params?: any}} message
 */
export function routeOf(message) {
  const params = message.params;
  if (!params || typeof params !== 'object' || Array.isArray(params)) return undefined;
  if (message.method === PROGRESS) return progressRoute(params.token);
  if ('subscription' in params) return subscriptionRoute(params.subscription);
  return undefined;
}

/** Whether `value` can name a subscription (a string or a number). */
export const isSubscriptionId = (value) => typeof value === 'string' || typeof value === 'number';

/**
 * A copy of by-name params asking for progress reports under `token`.
 * @param {Record<string, unknown> | unknown[] | undefined} params
 * @param {string} token
 */
export function withProgressToken(params, token) {
  if (params !== undefined && (params === null || typeof params !== 'object' || Array.isArray(params))) {
    throw new TypeError('a call reporting progress takes its params by name (an object)');
  }
  const meta = params && params._meta && typeof params._meta === 'object' ? params._meta : {};
  return { ...params, _meta: { ...meta, progressToken: token } };
}

/** True for the answer of a bridge too old to report progress: `_meta` is an unknown param. */
export const refusesProgress = (err) => err instanceof InvalidParams && Boolean(err.data) && err.data.field === '_meta';
