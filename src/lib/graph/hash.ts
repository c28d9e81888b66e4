/**
 * Deterministic ids for tasks and interrupts. They must be equal when the same step is
 * prepared again from the same checkpoint (that is how a resumed run finds the writes
 * and resume values that belong to each task), so they are hashes, not random.
 */

/** 53-bit string hash (cyrb53 construction), as 14 hex digits. */
function hash53(text: string, seed: number): string {
  let h1 = 0xdeadbeef ^ seed;
  let h2 = 0x41c6ce57 ^ seed;
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ ch, 2654435761);
    h2 = Math.imul(h2 ^ ch, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507);
  h1 ^= Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507);
  h2 ^= Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  const n = 4294967296 * (2097151 & h2) + (h1 >>> 0);
  return n.toString(16).padStart(14, '0');
}

/** A 106-bit id from two independent hashes: collisions are not a practical concern. */
export function stableId(...parts: Array<string | number>): string {
  const text = parts.join('\u0001');
  return hash53(text, 1) + hash53(text, 2);
}
