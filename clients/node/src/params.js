// Helper options → wire params: the camelCase names of PARAM_NAMES (generated from the OpenRPC
// document) become their wire names; any other key goes through as given, and no VALUE is ever
// touched, so `attributes` and `settings` reach the bridge exactly as the caller wrote them.
// Keys whose value is `undefined` are omitted.
import { PARAM_NAMES } from './api.js';

/**
 * @param {Record<string, unknown> | undefined | null} options
 * @returns {Record<string, unknown>}
 */
export function toWire(options) {
  if (options === undefined || options === null) return {};
  if (typeof options !== 'object' || Array.isArray(options)) {
    throw new TypeError('expected an options object');
  }
  /** @type {Record<string, unknown>} */
  const out = {};
  for (const [key, value] of Object.entries(options)) {
    if (value === undefined) continue;
    const name = Object.prototype.hasOwnProperty.call(PARAM_NAMES, key) ? PARAM_NAMES[key] : key;
    out[name] = value;
  }
  return out;
}
