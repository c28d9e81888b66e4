/**
 * Short one-line texts for values in the state inspector: what a collapsed entry shows,
 * and how a long string is cut before "show more".
 */
import { isPlainObject } from './diff';

/** Strings longer than this are cut in the tree until the reader asks for more. */
export const LONG_STRING_LENGTH = 200;

/**
 * A leaf as it reads in the tree: everything as JSON would write it, except that strings
 * keep their line breaks (quoted, not escaped), so a message's text reads as text.
 */
export function formatLeaf(value: unknown): string {
  if (typeof value === 'string') return `"${value}"`;
  if (typeof value === 'bigint') return `${value}n`;
  if (value instanceof Date) return value.toISOString();
  if (value === undefined) return 'undefined';
  if (
    typeof value === 'object' &&
    value !== null &&
    !isPlainObject(value) &&
    !Array.isArray(value)
  ) {
    // A Map, Set or class instance that slipped into a snapshot: name it rather than
    // print its (usually empty) own keys.
    return value.constructor?.name ?? 'object';
  }
  return String(value);
}

/** "3 keys", "1 item": the size of a container. */
export function describeSize(value: unknown): string {
  if (Array.isArray(value)) return plural(value.length, 'item');
  if (isPlainObject(value)) return plural(Object.keys(value).length, 'key');
  return '';
}

/**
 * One line standing for a collapsed value. A chat message reads as `role: content`,
 * other objects list their first keys, arrays their size.
 */
export function previewValue(value: unknown, maxLength = 60): string {
  let text: string;
  if (Array.isArray(value)) {
    text = `[${plural(value.length, 'item')}]`;
  } else if (isPlainObject(value)) {
    if (typeof value.role === 'string' && 'content' in value) {
      const content =
        typeof value.content === 'string' ? value.content : previewValue(value.content, maxLength);
      const calls = Array.isArray(value.tool_calls) ? value.tool_calls.length : 0;
      text = `${value.role}: ${content.replace(/\s+/g, ' ').trim()}`;
      if (calls) text += ` (${plural(calls, 'tool call')})`;
    } else {
      const keys = Object.keys(value);
      text = keys.length ? `{${keys.join(', ')}}` : '{}';
    }
  } else {
    text = formatLeaf(value).replace(/\s+/g, ' ');
  }
  return text.length > maxLength ? `${truncateText(text, maxLength - 1).shown}…` : text;
}

/**
 * The first `limit` characters of `text`, without splitting a surrogate pair, and how
 * many characters are left out.
 */
export function truncateText(text: string, limit: number): { shown: string; hidden: number } {
  if (text.length <= limit) return { shown: text, hidden: 0 };
  let end = limit;
  const code = text.charCodeAt(end - 1);
  if (code >= 0xd800 && code <= 0xdbff) end -= 1; // do not end on half an emoji
  return { shown: text.slice(0, end), hidden: text.length - end };
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}
