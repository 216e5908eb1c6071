import { Limits } from '@hearth/protocol';

/**
 * A Rails-style form (`a=1&b[]=2&c[0][name]=x`, as Mastodon clients send) as an object: `name[]` collects a list,
 * `name[key]` nests. Nesting past three levels or more than `maxKeys` keys is refused (null).
 */
export function parseRailsForm(
  entries: Iterable<[string, string]>,
  maxKeys = 200,
): Record<string, unknown> | null {
  const out: Record<string, unknown> = Object.create(null);
  let count = 0;
  for (const [key, value] of entries) {
    if (++count > maxKeys) return null;
    const match = /^([^[\]]+)((?:\[[^[\]]*\])*)$/.exec(key);
    if (!match) continue;
    const path = [match[1], ...[...match[2].matchAll(/\[([^[\]]*)\]/g)].map((m) => m[1])];
    if (path.length > 3) return null;
    let node: Record<string, unknown> = out;
    for (let i = 0; i < path.length; i++) {
      const part = path[i];
      const last = i === path.length - 1;
      const nextIsList = path[i + 1] === '';
      if (part === '') return null;
      if (last) {
        node[part] = value;
      } else if (nextIsList && i + 1 === path.length - 1) {
        const list = Array.isArray(node[part]) ? (node[part] as unknown[]) : [];
        if (list.length >= Limits.socialPageMax) return null;
        list.push(value);
        node[part] = list;
        break;
      } else {
        const child = node[part];
        node[part] =
          child && typeof child === 'object' && !Array.isArray(child) ? child : Object.create(null);
        node = node[part] as Record<string, unknown>;
      }
    }
  }
  return out;
}
