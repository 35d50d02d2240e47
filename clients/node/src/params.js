// camelCase options → the contract's snake_case params.
//
// Only the names below are renamed; every other key (role, status, presence, email, ensure, mode,
// profileStatus, attributes, settings, firstname, …) goes through as given, and no VALUE is ever
// touched, so `attributes` and `settings` reach the bridge exactly as the caller wrote them.
// Keys whose value is `undefined` are omitted.

/** camelCase option → wire name. */
export const PARAM_NAMES = Object.freeze({
  projectId: 'project_id',
  projectUserId: 'project_user_id',
  userId: 'user_id',
  userAvailable: 'user_available',
  includeTrashed: 'include_trashed',
  maxAssignedChat: 'max_assigned_chat',
  maxServedChat: 'max_served_chat',
  publicEmail: 'public_email',
  publicWebsite: 'public_website',
  dryRun: 'dry_run',
});

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
