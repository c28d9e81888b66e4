/**
 * Pretty JSON for the node details panel. State values are not always plain JSON (the
 * checkpoint serde allows Map, Set, bigint, typed arrays, Dates), and a display must never
 * throw, so the values JSON cannot carry are shown in a readable stand-in form.
 */
export function formatValue(value: unknown): string {
  if (value === undefined) return 'undefined';
  // The objects on the way from the root to the value being written, as given and as written
  // (a Map is written as an object): only a value among them is a cycle.
  const ancestors: { given: object; written: unknown }[] = [];
  const text = JSON.stringify(
    value,
    function (this: unknown, _key, item: unknown) {
      while (ancestors.length > 0 && ancestors[ancestors.length - 1].written !== this)
        ancestors.pop();
      if (typeof item === 'bigint') return `${item}n`;
      if (typeof item === 'function') return `[function ${item.name || 'anonymous'}]`;
      if (typeof item === 'symbol') return item.toString();
      if (typeof item === 'number' && !Number.isFinite(item)) return String(item);
      if (typeof item !== 'object' || item === null) return item;
      if (ancestors.some((a) => a.given === item)) return '[circular]';
      const written = plainForm(item);
      ancestors.push({ given: item, written });
      return written;
    },
    2,
  );
  return text ?? String(value);
}

function plainForm(item: object): unknown {
  if (item instanceof Map) return Object.fromEntries(item);
  if (item instanceof Set) return [...item];
  if (item instanceof Error) return { name: item.name, message: item.message };
  if (ArrayBuffer.isView(item) && !(item instanceof DataView))
    return Array.from(item as unknown as ArrayLike<number | bigint>);
  return item;
}
