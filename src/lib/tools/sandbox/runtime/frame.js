// @ts-nocheck -- this text runs inside the sandboxed iframe (an opaque origin), not in the app.
// It is loaded with `?raw` and inlined into the frame's srcdoc; nothing imports it as a module.
//
// The frame is a relay: it owns one blob URL for the worker source the host sends once,
// starts a fresh dedicated worker per run (a fresh realm, so runs cannot leak state into
// each other), stops it when the time limit passes, and posts the outcome to the parent.
// The agent's code never runs on this thread, so an infinite loop cannot block the frame
// (or a page that shares its process).
(() => {
  const PARENT_ORIGIN = '__PARENT_ORIGIN__';
  let workerUrl = null;
  const running = new Map();

  const reply = (message) => parent.postMessage(message, PARENT_ORIGIN);

  function start(request) {
    const { id, code, files, limits, timeoutMs } = request;
    const startedAt = performance.now();
    let stdout = '';
    let stdoutTruncated = false;
    let worker;
    const finish = (outcome) => {
      const run = running.get(id);
      if (!run) return;
      running.delete(id);
      clearTimeout(run.timer);
      worker.terminate();
      reply({
        type: 'result',
        id,
        outcome: {
          stdout: outcome.stdout ?? stdout,
          stdoutTruncated: outcome.stdoutTruncated ?? stdoutTruncated,
          resultJson: outcome.resultJson,
          charts: outcome.charts ?? [],
          error: outcome.error ?? null,
          errorKind: outcome.errorKind ?? null,
          ms: outcome.ms ?? Math.round(performance.now() - startedAt),
        },
      });
    };
    try {
      worker = new Worker(workerUrl, { name: `sandbox-run-${id}` });
    } catch (error) {
      reply({
        type: 'result',
        id,
        outcome: {
          stdout: '',
          charts: [],
          error: `The sandbox could not start a worker: ${error}`,
          errorKind: 'crash',
          ms: 0,
        },
      });
      return;
    }
    const timer = setTimeout(
      () =>
        finish({
          error: `Timed out: the code ran longer than ${timeoutMs} ms and was stopped.`,
          errorKind: 'timeout',
          ms: timeoutMs,
        }),
      timeoutMs,
    );
    running.set(id, {
      timer,
      cancel: () => finish({ error: 'Cancelled.', errorKind: 'cancelled' }),
    });
    worker.onmessage = (event) => {
      const message = event.data;
      if (!message || typeof message !== 'object') return;
      // stdout arrives line by line, so what was printed before a timeout is kept
      if (message.type === 'stdout' && typeof message.text === 'string') {
        if (stdout.length + message.text.length > limits.maxStdoutChars) {
          stdout += message.text.slice(0, Math.max(0, limits.maxStdoutChars - stdout.length));
          stdoutTruncated = true;
        } else stdout += message.text;
      } else if (message.type === 'done') finish({ ...message.outcome, stdout, stdoutTruncated });
    };
    worker.onerror = (event) => {
      event.preventDefault();
      finish({ error: event.message || 'The worker failed.', errorKind: 'crash' });
    };
    worker.postMessage({ type: 'run', code, files, limits });
  }

  addEventListener('message', (event) => {
    if (event.source !== parent) return;
    const message = event.data;
    if (!message || typeof message !== 'object') return;
    if (message.type === 'init') {
      if (workerUrl) URL.revokeObjectURL(workerUrl);
      workerUrl = URL.createObjectURL(
        new Blob([message.workerSource], { type: 'text/javascript' }),
      );
      reply({ type: 'initialized' });
    } else if (message.type === 'run') start(message);
    else if (message.type === 'cancel') running.get(message.id)?.cancel();
  });

  reply({ type: 'ready' });
})();
