import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { EmbedBridge, type EmbedHandlers, type MessageTarget } from '../../src/lib/embed/bridge';
import {
  MAX_MESSAGE_LENGTH,
  initialHostOrigin,
  isAllowedOrigin,
  isJsonValue,
  normalizeOrigin,
  parseAllowlist,
  parseHostMessage,
  type EventMessage,
  type RunProgress,
} from '../../src/lib/embed/protocol';

const APP = 'http://localhost:4173';
const HOST = 'https://host.example';

describe('parseHostMessage', () => {
  it('accepts the four host messages and keeps only their fields', () => {
    expect(parseHostMessage({ type: 'agent-playground:run', message: 'hi', extra: 1 })).toEqual({
      ok: true,
      message: { type: 'agent-playground:run', message: 'hi' },
    });
    expect(
      parseHostMessage({ type: 'agent-playground:resume', answers: { a: { ok: [1, 'x', null] } } }),
    ).toEqual({
      ok: true,
      message: { type: 'agent-playground:resume', answers: { a: { ok: [1, 'x', null] } } },
    });
    expect(parseHostMessage({ type: 'agent-playground:cancel' })).toEqual({
      ok: true,
      message: { type: 'agent-playground:cancel' },
    });
    expect(parseHostMessage({ type: 'agent-playground:hello' }).ok).toBe(true);
  });

  it.each([
    ['a string', 'agent-playground:run'],
    ['null', null],
    ['an array', [{ type: 'agent-playground:run', message: 'x' }]],
    ['an unknown type', { type: 'agent-playground:eval', code: '1' }],
    ['an event (the other direction)', { type: 'agent-playground:event', event: {} }],
    ['run without message', { type: 'agent-playground:run' }],
    ['run with a number', { type: 'agent-playground:run', message: 42 }],
    ['run with blank text', { type: 'agent-playground:run', message: '  \n ' }],
    [
      'run with a huge message',
      { type: 'agent-playground:run', message: 'x'.repeat(MAX_MESSAGE_LENGTH + 1) },
    ],
    ['resume without answers', { type: 'agent-playground:resume' }],
    ['resume with an array', { type: 'agent-playground:resume', answers: [1] }],
    ['resume with no answers', { type: 'agent-playground:resume', answers: {} }],
    ['resume with a date', { type: 'agent-playground:resume', answers: { a: new Date() } }],
    ['resume with NaN', { type: 'agent-playground:resume', answers: { a: NaN } }],
    ['resume with a map', { type: 'agent-playground:resume', answers: new Map([['a', 1]]) }],
  ])('rejects %s', (_label, data) => {
    const result = parseHostMessage(data);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.reason).toBeTruthy();
  });

  it('limits the nesting of answers', () => {
    let deep: unknown = 1;
    for (let i = 0; i < 40; i++) deep = [deep];
    expect(isJsonValue(deep)).toBe(false);
    expect(parseHostMessage({ type: 'agent-playground:resume', answers: { a: deep } }).ok).toBe(
      false,
    );
  });
});

describe('allowlist', () => {
  it('always allows the app itself and adds exact http(s) origins', () => {
    const list = parseAllowlist(' https://host.example , http://127.0.0.1:8080/ ', APP);
    expect([...list.origins]).toEqual([APP, HOST, 'http://127.0.0.1:8080']);
    expect(list.rejected).toEqual([]);
    expect(isAllowedOrigin(APP, list)).toBe(true);
    expect(isAllowedOrigin(HOST, list)).toBe(true);
    expect(isAllowedOrigin('http://127.0.0.1:8080', list)).toBe(true);
  });

  it('matches origins exactly: scheme, host and port', () => {
    const list = parseAllowlist(HOST, APP);
    for (const origin of [
      'http://host.example',
      'https://host.example:8443',
      'https://evil.host.example',
      'https://host.example.evil',
      'null',
      '',
    ])
      expect(isAllowedOrigin(origin, list), origin).toBe(false);
  });

  it('drops anything that is not a plain origin instead of widening it', () => {
    const entries = [
      '*',
      'null',
      'https://*.example.com',
      'host.example',
      'file:///tmp/x.html',
      'javascript:alert(1)',
      'https://host.example/path',
      'https://host.example?x=1',
      'https://user:pw@host.example',
      'https://host.example#x',
      'https://host.example/?',
      'https://host.example#',
      'https://host.example\\',
    ];
    const list = parseAllowlist(entries.join(','), APP);
    expect([...list.origins]).toEqual([APP]);
    expect(list.rejected).toEqual(entries);
    for (const entry of entries) expect(normalizeOrigin(entry), entry).toBeNull();
  });

  it('normalizes case and default ports the way browsers write event.origin', () => {
    expect(normalizeOrigin('HTTPS://Host.Example')).toBe(HOST);
    expect(normalizeOrigin('https://host.example:443')).toBe(HOST);
  });

  it('no ?allow= means only the app itself', () => {
    expect([...parseAllowlist(null, APP).origins]).toEqual([APP]);
    expect([...parseAllowlist('', APP).origins]).toEqual([APP]);
  });

  it('finds the host origin from ancestorOrigins or the referrer, only when allowed', () => {
    const list = parseAllowlist(HOST, APP);
    expect(initialHostOrigin({ ancestorOrigin: HOST }, list)).toBe(HOST);
    expect(initialHostOrigin({ referrer: `${HOST}/page?q=1` }, list)).toBe(HOST);
    expect(initialHostOrigin({ ancestorOrigin: 'https://other.example' }, list)).toBeUndefined();
    expect(initialHostOrigin({ referrer: 'not a url' }, list)).toBeUndefined();
    expect(initialHostOrigin({}, list)).toBeUndefined();
  });
});

describe('EmbedBridge', () => {
  let posted: Array<{ message: EventMessage; targetOrigin: string }>;
  let parent: MessageTarget;
  let warn: ReturnType<typeof vi.fn<(message: string) => void>>;
  let handlers: { [K in keyof EmbedHandlers]: ReturnType<typeof vi.fn<EmbedHandlers[K]>> };

  const events = () => posted.map((p) => p.message.event);

  function bridge(options: { hostOrigin?: string; allow?: string; framed?: boolean } = {}) {
    return new EmbedBridge({
      parent: options.framed === false ? null : parent,
      allowlist: parseAllowlist(options.allow ?? HOST, APP),
      hostOrigin: options.hostOrigin,
      handlers,
      warn,
      updateInterval: 100,
    });
  }

  beforeEach(() => {
    posted = [];
    parent = {
      postMessage: (message, targetOrigin) =>
        posted.push({ message: message as EventMessage, targetOrigin }),
    };
    warn = vi.fn();
    handlers = { run: vi.fn(), resume: vi.fn(), cancel: vi.fn() };
  });

  it('runs a message from the allowed parent and replies to exactly its origin', () => {
    const b = bridge();
    const result = b.handle({
      data: { type: 'agent-playground:run', message: 'hello' },
      origin: HOST,
      source: parent,
    });
    expect(result).toEqual({ type: 'agent-playground:run', message: 'hello' });
    expect(handlers.run).toHaveBeenCalledWith('hello');
    b.emit({ type: 'run', message: 'hello', thread: 't' });
    expect(posted).toEqual([
      {
        message: {
          type: 'agent-playground:event',
          event: { type: 'run', message: 'hello', thread: 't' },
        },
        targetOrigin: HOST,
      },
    ]);
    expect(posted.every((p) => p.targetOrigin !== '*')).toBe(true);
  });

  it('passes resume and cancel to the page', () => {
    const b = bridge();
    b.handle({
      data: { type: 'agent-playground:resume', answers: { i1: true } },
      origin: HOST,
      source: parent,
    });
    b.handle({ data: { type: 'agent-playground:cancel' }, origin: HOST, source: parent });
    expect(handlers.resume).toHaveBeenCalledWith({ i1: true });
    expect(handlers.cancel).toHaveBeenCalledOnce();
  });

  it('ignores other origins, counts them and warns once', () => {
    const b = bridge();
    for (const origin of ['https://evil.example', 'http://host.example', 'null']) {
      const result = b.handle({
        data: { type: 'agent-playground:run', message: 'rm -rf' },
        origin,
        source: parent,
      });
      expect(result).toBeNull();
    }
    expect(handlers.run).not.toHaveBeenCalled();
    expect(b.ignored).toBe(3);
    expect(warn).toHaveBeenCalledOnce();
    expect(String(warn.mock.calls[0][0])).toContain('https://evil.example');
    expect(posted).toEqual([]); // nothing is said to a foreign origin
    expect(b.target).toBeUndefined();
  });

  it('ignores an allowed origin speaking from another window than the parent', () => {
    const b = bridge();
    const other = { postMessage: () => undefined };
    b.handle({
      data: { type: 'agent-playground:run', message: 'x' },
      origin: HOST,
      source: other,
    });
    expect(handlers.run).not.toHaveBeenCalled();
    expect(b.ignored).toBe(1);
  });

  it('listens to nobody when not in a frame', () => {
    const b = bridge({ framed: false });
    b.handle({ data: { type: 'agent-playground:run', message: 'x' }, origin: APP, source: null });
    expect(handlers.run).not.toHaveBeenCalled();
    b.emit({ type: 'ready', demo: 'd', thread: 't' });
    expect(posted).toEqual([]);
  });

  it("allows the app's own origin without ?allow=", () => {
    const b = bridge({ allow: '' });
    b.handle({ data: { type: 'agent-playground:cancel' }, origin: APP, source: parent });
    expect(handlers.cancel).toHaveBeenCalledOnce();
  });

  it('silently ignores messages that are not for this protocol', () => {
    const b = bridge();
    b.handle({ data: 'hello', origin: 'https://evil.example', source: parent });
    b.handle({ data: { type: 'webpackOk' }, origin: HOST, source: parent });
    expect(b.ignored).toBe(0);
    expect(warn).not.toHaveBeenCalled();
  });

  it('rejects a malformed message from the host with a reason', () => {
    const b = bridge();
    expect(
      b.handle({
        data: { type: 'agent-playground:run', message: 5 },
        origin: HOST,
        source: parent,
      }),
    ).toBeNull();
    expect(handlers.run).not.toHaveBeenCalled();
    expect(b.malformed).toBe(1);
    expect(events()).toEqual([
      {
        type: 'rejected',
        request: 'agent-playground:run',
        reason: 'malformed: run: message is not a string',
      },
    ]);
  });

  it('reports a refusal from the page as rejected', () => {
    handlers.run.mockReturnValue('busy');
    const b = bridge();
    expect(
      b.handle({
        data: { type: 'agent-playground:run', message: 'x' },
        origin: HOST,
        source: parent,
      }),
    ).toBeNull();
    expect(events()).toEqual([
      { type: 'rejected', request: 'agent-playground:run', reason: 'busy' },
    ]);
  });

  it('sends ready to a known host at once, and to an unknown one after its hello', () => {
    const known = bridge({ hostOrigin: HOST });
    known.emit({ type: 'ready', demo: 'd', thread: 't' });
    expect(posted.map((p) => p.targetOrigin)).toEqual([HOST]);

    posted = [];
    const unknown = bridge();
    unknown.emit({ type: 'ready', demo: 'd', thread: 't' });
    expect(posted).toEqual([]);
    unknown.handle({ data: { type: 'agent-playground:hello' }, origin: HOST, source: parent });
    expect(events()).toEqual([{ type: 'ready', demo: 'd', thread: 't' }]);
    expect(posted[0].targetOrigin).toBe(HOST);
  });

  it('never adopts a host origin hint that is not allowed', () => {
    const b = bridge({ hostOrigin: 'https://evil.example' });
    b.emit({ type: 'ready', demo: 'd', thread: 't' });
    expect(posted).toEqual([]);
  });

  it('sends a JSON copy when the event cannot be structured-cloned', () => {
    const b = bridge({ hostOrigin: HOST });
    b.emit({ type: 'final', answer: '42', values: { answer: '42', fn: () => 1 } });
    expect(events()).toEqual([{ type: 'final', answer: '42', values: { answer: '42' } }]);
  });

  describe('updates', () => {
    beforeEach(() => vi.useFakeTimers());
    afterEach(() => vi.useRealTimers());

    const progress = (status: string, step: number | null, active: string[] = []): RunProgress => ({
      status,
      thread: 't',
      step,
      active,
      visited: active,
      interrupts: 0,
    });

    it('throttles, flushes status changes at once and always delivers the last one', () => {
      const b = bridge({ hostOrigin: HOST });
      b.progress(progress('idle', null));
      b.progress(progress('idle', null)); // unchanged: not sent again
      b.progress(progress('running', 0, ['llm'])); // status change: sent at once
      b.progress(progress('running', 1, ['llm'])); // within the interval: held
      b.progress(progress('running', 2, ['tools'])); // replaces the held one
      const summary = () =>
        events().map((e) => (e.type === 'update' ? `${e.status}:${e.step}` : e.type));
      expect(summary()).toEqual(['idle:null', 'running:0']);
      vi.advanceTimersByTime(100);
      expect(summary()).toEqual(['idle:null', 'running:0', 'running:2']);
      vi.advanceTimersByTime(500);
      b.progress(progress('done', 2));
      expect(summary()).toEqual(['idle:null', 'running:0', 'running:2', 'done:2']);
      b.dispose();
    });

    it('replays the last update after a hello', () => {
      const b = bridge();
      b.progress(progress('running', 3, ['llm']));
      expect(posted).toEqual([]);
      b.handle({ data: { type: 'agent-playground:hello' }, origin: HOST, source: parent });
      expect(events()).toEqual([
        {
          type: 'update',
          status: 'running',
          thread: 't',
          step: 3,
          active: ['llm'],
          visited: ['llm'],
          interrupts: 0,
        },
      ]);
    });
  });
});
