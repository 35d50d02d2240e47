// Walking a paged method (`activity.list`): pages from 0, each `{count, page, per_page, <items>}`,
// until `count` items were given. The generated `iterate` helpers (rows of GROUPS with `pages`)
// call this.
import { toWire } from './params.js';

const number = (v) => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);

/**
 * Each item of every page of `method`, asking for a page when the last one is used up. An item
 * whose `id` was given before (the list moved between pages) is left out.
 * @param {{call: (method: string, params: object, options?: object) => Promise<any>}} client
 * @param {string} method
 * @param {Record<string, unknown> | undefined} options the helper's camelCase options
 * @param {string} field the page's field holding the items
 * @param {object} [callOptions] per page: `{timeout, signal}`
 */
export async function* walkPages(client, method, options, field, callOptions) {
  const params = toWire(options);
  const seen = new Set();
  for (let page = 0; ; ) {
    const answer = await client.call(method, { ...params, page }, callOptions);
    const items = answer && Array.isArray(answer[field]) ? answer[field] : [];
    const count = number(answer && answer.count);
    const perPage = number(answer && answer.per_page);
    page += 1;
    for (const item of items) {
      const id = item && typeof item === 'object' ? item.id : undefined;
      if (id !== undefined && seen.has(id)) continue;
      if (id !== undefined) seen.add(id);
      yield item;
    }
    if (items.length === 0 || count === undefined || perPage === undefined || page * perPage >= count) return;
  }
}
