import { describe, expect, it } from 'vitest';
import { StopStringMatcher } from '../../src/lib/llm/stop-strings.js';

/** Feeds `chunks`, returns what was shown, whether it stopped, and which stop matched. */
function run(stops: string[], chunks: string[]) {
  const matcher = new StopStringMatcher(stops);
  let shown = '';
  for (const chunk of chunks) {
    const r = matcher.push(chunk);
    shown += r.text;
    if (r.stopped) return { shown, stopped: true, stop: r.stop };
  }
  return { shown: shown + matcher.flush(), stopped: false, stop: undefined };
}

describe('StopStringMatcher', () => {
  it('stops before a stop string split across deltas and never shows part of it', () => {
    const matcher = new StopStringMatcher(['\n\nUser:']);
    expect(matcher.push('Hello\n')).toEqual({ text: 'Hello', stopped: false });
    expect(matcher.heldText).toBe('\n');
    expect(matcher.push('\nUs')).toEqual({ text: '', stopped: false });
    expect(matcher.push('er: hi')).toEqual({ text: '', stopped: true, stop: '\n\nUser:' });
    expect(matcher.stopped).toBe(true);
    expect(matcher.matchedStop).toBe('\n\nUser:');
    expect(matcher.push('more')).toEqual({ text: '', stopped: true, stop: '\n\nUser:' });
    expect(matcher.flush()).toBe('');
  });

  it('releases held text that turns out not to be a stop string', () => {
    const matcher = new StopStringMatcher(['END']);
    expect(matcher.push('the EN')).toEqual({ text: 'the ', stopped: false });
    expect(matcher.push('D')).toEqual({ text: '', stopped: true, stop: 'END' });
    const other = new StopStringMatcher(['END']);
    expect(other.push('the EN')).toEqual({ text: 'the ', stopped: false });
    expect(other.push('ding')).toEqual({ text: 'ENding', stopped: false });
    expect(other.push('E')).toEqual({ text: '', stopped: false });
    expect(other.flush()).toBe('E');
  });

  it('gives the same output for every split of a text', () => {
    const text = 'a <|im_end|> b';
    for (let i = 0; i <= text.length; i++) {
      for (let j = i; j <= text.length; j++) {
        expect(run(['<|im_end|>'], [text.slice(0, i), text.slice(i, j), text.slice(j)])).toEqual({
          shown: 'a ',
          stopped: true,
          stop: '<|im_end|>',
        });
      }
    }
    expect(run(['zz'], [...'no stop here'])).toEqual({
      shown: 'no stop here',
      stopped: false,
      stop: undefined,
    });
  });

  it('picks the earliest match, and the longer one at the same position', () => {
    expect(run(['b', 'abc'], ['xabcb'])).toMatchObject({ shown: 'x', stop: 'abc' });
    expect(run(['ab', 'abc'], ['xabc'])).toMatchObject({ shown: 'x', stop: 'abc' });
    expect(run(['c', 'xa'], ['0xac'])).toMatchObject({ shown: '0', stop: 'xa' });
  });

  it('handles overlapping prefixes and unicode', () => {
    expect(run(['aab'], ['aa', 'a', 'ab'])).toMatchObject({ shown: 'aa', stopped: true });
    expect(run(['😀!'], ['é😀', '😀', '!'])).toMatchObject({ shown: 'é😀', stopped: true });
  });

  it('ignores empty stop strings and passes text through without stops', () => {
    expect(run(['', ''], ['abc'])).toEqual({ shown: 'abc', stopped: false, stop: undefined });
    expect(new StopStringMatcher().push('x')).toEqual({ text: 'x', stopped: false });
  });
});
