// @ts-nocheck -- this text runs inside the sandbox's dedicated worker, not in the app.
// It is loaded with `?raw` and appended to arquero's UMD bundle (which defines `aq`) to make
// the worker's source; nothing imports it as a module. Evaluating the agent's code is the
// whole point of this realm: it has an opaque origin and a CSP without network access.
(() => {
  const post = self.postMessage.bind(self);
  const NativeArray = Array;
  const AsyncFunction = (async () => {}).constructor;

  // ------------------------------------------------------------- allocation budget
  // Browsers give a worker no heap limit of its own: a worker that exhausts the heap takes
  // its whole renderer process (the app's tab) down with it. The budget counts elements and
  // characters allocated through the usual bulk entry points and throws a RangeError once a
  // run has used more than its share, long before the heap is full. It is a guard against
  // runaway loops, not against a determined attacker (index writes and object literals are
  // not counted); the time limit bounds everything else.
  function installAllocationBudget(limits) {
    let elements = 0;
    let characters = 0;
    const chargeElements = (n) => {
      elements += n;
      if (elements > limits.maxElements) {
        throw new RangeError(
          `Memory guard: the code allocated more than ${limits.maxElements} array elements.`,
        );
      }
    };
    const chargeCharacters = (n) => {
      characters += n;
      if (characters > limits.maxStringChars) {
        throw new RangeError(
          `Memory guard: the code built more than ${limits.maxStringChars} characters of strings.`,
        );
      }
    };
    const replace = (owner, name, wrap) => {
      const original = owner[name];
      Object.defineProperty(owner, name, {
        value: wrap(original),
        writable: true,
        configurable: true,
        enumerable: false,
      });
    };
    replace(
      NativeArray.prototype,
      'push',
      (push) =>
        function push_(...items) {
          chargeElements(items.length);
          return push.apply(this, items);
        },
    );
    replace(
      NativeArray.prototype,
      'unshift',
      (unshift) =>
        function unshift_(...items) {
          chargeElements(items.length);
          return unshift.apply(this, items);
        },
    );
    replace(
      NativeArray.prototype,
      'concat',
      (concat) =>
        function concat_(...items) {
          const result = concat.apply(this, items);
          chargeElements(result.length);
          return result;
        },
    );
    replace(
      NativeArray,
      'from',
      (from) =>
        function from_(source, ...rest) {
          if (source && typeof source.length === 'number') chargeElements(source.length);
          return from.call(this, source, ...rest);
        },
    );
    // Charged before the string is built: the size is known from the arguments.
    replace(
      String.prototype,
      'repeat',
      (repeat) =>
        function repeat_(count) {
          chargeCharacters(String(this).length * Math.max(0, Number(count) || 0));
          return repeat.call(this, count);
        },
    );
    for (const name of ['padStart', 'padEnd']) {
      replace(
        String.prototype,
        name,
        (pad) =>
          function pad_(targetLength, ...rest) {
            chargeCharacters(Math.max(0, Number(targetLength) || 0));
            return pad.call(this, targetLength, ...rest);
          },
      );
    }
    // `new Array(n)` and `Array(n)`: the global is swapped for a constructor that checks n
    // and builds a native array (literals and `instanceof Array` are unaffected).
    function GuardedArray(...args) {
      if (args.length === 1 && typeof args[0] === 'number') chargeElements(args[0]);
      return Reflect.construct(NativeArray, args, new.target ?? NativeArray);
    }
    Object.setPrototypeOf(GuardedArray, NativeArray);
    GuardedArray.prototype = NativeArray.prototype;
    self.Array = GuardedArray;
    for (const name of [
      'ArrayBuffer',
      'Float64Array',
      'Float32Array',
      'Int32Array',
      'Uint32Array',
      'Int16Array',
      'Uint16Array',
      'Int8Array',
      'Uint8Array',
      'Uint8ClampedArray',
      'BigInt64Array',
      'BigUint64Array',
    ]) {
      const Native = self[name];
      if (!Native) continue;
      const Guarded = new Proxy(Native, {
        construct(target, args, newTarget) {
          if (typeof args[0] === 'number') chargeElements(args[0]);
          return Reflect.construct(target, args, newTarget === Guarded ? target : newTarget);
        },
      });
      self[name] = Guarded;
    }
  }

  // ------------------------------------------------------------- printing
  const isTable = (value) =>
    value !== null &&
    typeof value === 'object' &&
    typeof value.objects === 'function' &&
    typeof value.numRows === 'function';

  function format(value, depth = 0) {
    if (typeof value === 'string') return value;
    if (isTable(value)) return value.toMarkdown({ limit: 20 }).trimEnd();
    if (value instanceof Error) return `${value.name}: ${value.message}`;
    if (typeof value === 'function') return `[Function ${value.name || 'anonymous'}]`;
    if (typeof value === 'bigint') return `${value}n`;
    if (typeof value !== 'object' || value === null) return String(value);
    if (depth > 2) return NativeArray.isArray(value) ? '[Array]' : '[Object]';
    try {
      return JSON.stringify(value, jsonReplacer);
    } catch {
      return String(value);
    }
  }

  function jsonReplacer(_key, value) {
    if (typeof value === 'bigint') return `${value}n`;
    if (typeof value === 'function') return `[Function ${value.name || 'anonymous'}]`;
    if (typeof value === 'number' && !Number.isFinite(value)) return String(value);
    if (value instanceof Map) return Object.fromEntries(value);
    if (value instanceof Set) return [...value];
    if (isTable(value)) return value.objects({ limit: 50 });
    return value;
  }

  // Characters posted so far: past the cap nothing more is posted, so a printing loop
  // cannot flood the frame with messages until the time limit.
  let posted = 0;
  let stdoutCap = Infinity;

  function write(prefix, args) {
    if (posted > stdoutCap) return;
    const line = args.map((arg) => format(arg)).join(' ');
    const text = `${prefix}${line}\n`;
    posted += text.length;
    post({ type: 'stdout', text: posted > stdoutCap ? text.slice(0, stdoutCap + 1) : text });
  }

  function installConsole(limits) {
    stdoutCap = limits.maxStdoutChars;
    const sandboxConsole = {
      log: (...args) => write('', args),
      info: (...args) => write('', args),
      debug: (...args) => write('', args),
      warn: (...args) => write('[warn] ', args),
      error: (...args) => write('[error] ', args),
      table: (rows) => {
        if (isTable(rows)) write('', [rows]);
        else if (NativeArray.isArray(rows) && rows.length && typeof rows[0] === 'object')
          write('', [aq.from(rows.slice(0, 200))]);
        else write('', [rows]);
      },
    };
    self.console = sandboxConsole;
    self.print = sandboxConsole.log;
  }

  // ------------------------------------------------------------- data and charts
  function installApi(files, charts, limits) {
    const names = Object.keys(files);
    const fileText = (name) => {
      if (!Object.hasOwn(files, name)) {
        throw new Error(
          `No file named ${JSON.stringify(name)}. Available: ${names.map((n) => JSON.stringify(n)).join(', ') || 'none'}.`,
        );
      }
      return files[name];
    };
    self.files = names;
    self.readFile = fileText;
    self.loadCSV = (name, options) => aq.fromCSV(fileText(name), options);
    // Descriptive statistics of every numeric column (arquero has no `describe`).
    self.describe = (data) => {
      const table = isTable(data) ? data : aq.from(data);
      const round = (x) => Math.round(x * 1000) / 1000;
      const rows = [];
      for (const column of table.columnNames()) {
        const values = NativeArray.from(table.array(column)).filter(
          (v) => typeof v === 'number' && Number.isFinite(v),
        );
        if (values.length === 0) continue;
        values.sort((a, b) => a - b);
        const n = values.length;
        const mean = values.reduce((sum, v) => sum + v, 0) / n;
        const variance = n > 1 ? values.reduce((sum, v) => sum + (v - mean) ** 2, 0) / (n - 1) : 0;
        const median = n % 2 ? values[(n - 1) / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
        rows.push({
          column,
          count: n,
          mean: round(mean),
          sd: round(Math.sqrt(variance)),
          min: values[0],
          median: round(median),
          max: values[n - 1],
        });
      }
      return aq.from(rows);
    };
    self.chart = (spec) => {
      if (charts.length >= limits.maxCharts) {
        throw new RangeError(`At most ${limits.maxCharts} charts per run.`);
      }
      if (spec === null || typeof spec !== 'object') {
        throw new TypeError('chart() takes a spec object: {type, data, x, y, title}.');
      }
      // One row over the limit is enough for the host to reject the spec with its size.
      const data = isTable(spec.data)
        ? spec.data.objects({ limit: limits.maxChartPoints + 1 })
        : NativeArray.isArray(spec.data)
          ? spec.data.slice(0, limits.maxChartPoints + 1)
          : spec.data;
      // A plain-data copy: functions, DOM-like objects and cycles cannot cross to the host.
      charts.push(JSON.parse(JSON.stringify({ ...spec, data }, jsonReplacer)));
    };
  }

  // ------------------------------------------------------------- running
  function describeError(error) {
    if (error instanceof Error) {
      const where = /<anonymous>:(\d+):(\d+)/.exec(error.stack ?? '');
      return `${error.name}: ${error.message}${where ? ` (line ${where[1]})` : ''}`;
    }
    return `Uncaught ${format(error)}`;
  }

  /**
   * The code's value: the completion value of its last statement (like a REPL), or what it
   * returns when it is written as a function body (`return …`, or top-level `await`).
   */
  function evaluate(code) {
    let parsesAsFunctionBody = true;
    try {
      new Function(code);
    } catch {
      parsesAsFunctionBody = false;
    }
    if (!parsesAsFunctionBody) {
      try {
        const body = new AsyncFunction(code);
        return body();
      } catch {
        // not an async body either: the indirect eval below reports the syntax error
      }
    }
    try {
      return (0, eval)(code);
    } catch (error) {
      // `return` outside a function is a parse error, so nothing has run yet
      if (error instanceof SyntaxError && /return/i.test(error.message) && parsesAsFunctionBody) {
        return new Function(code)();
      }
      throw error;
    }
  }

  function serializeResult(value, limits) {
    if (value === undefined) return undefined;
    let json;
    try {
      json = JSON.stringify(value, jsonReplacer);
    } catch (error) {
      json = JSON.stringify(`[unserializable result: ${error.message}]`);
    }
    if (json === undefined) return undefined;
    if (json.length > limits.maxResultChars) {
      return JSON.stringify(
        `${json.slice(0, limits.maxResultChars)}… [result truncated: ${json.length} characters]`,
      );
    }
    return json;
  }

  self.onmessage = async (event) => {
    const { type, code, files, limits } = event.data ?? {};
    if (type !== 'run') return;
    self.onmessage = null; // one run per worker
    const charts = [];
    installConsole(limits);
    installApi(files ?? {}, charts, limits);
    installAllocationBudget(limits);
    const startedAt = performance.now();
    let resultJson;
    let error = null;
    try {
      let value = evaluate(String(code));
      if (value && typeof value.then === 'function') value = await value;
      resultJson = serializeResult(value, limits);
    } catch (thrown) {
      error = describeError(thrown);
    }
    post({
      type: 'done',
      outcome: {
        resultJson,
        charts,
        error,
        errorKind: error ? 'exception' : null,
        ms: Math.round(performance.now() - startedAt),
      },
    });
  };
})();
