/** Items grouped by key, in their order, each mapped to its value (the item itself when no value is given). */
export function groupBy<T, K>(items: Iterable<T>, key: (t: T) => K): Map<K, T[]>;
export function groupBy<T, K, V>(items: Iterable<T>, key: (t: T) => K, value: (t: T) => V): Map<K, V[]>;
export function groupBy<T, K, V>(
  items: Iterable<T>,
  key: (t: T) => K,
  value: (t: T) => V | T = (t) => t,
): Map<K, Array<V | T>> {
  const map = new Map<K, Array<V | T>>();
  for (const item of items) {
    const k = key(item);
    const list = map.get(k);
    if (list) list.push(value(item));
    else map.set(k, [value(item)]);
  }
  return map;
}
