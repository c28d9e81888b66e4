/** Reserved names. Users cannot name nodes or state keys with these. */
export const START = '__start__';
export const END = '__end__';

/** Stream key under which interrupts appear in `updates` chunks and `invoke` results. */
export const INTERRUPT = '__interrupt__';

/** Internal channel holding `Send` packets written in one step, consumed by the next. */
export const TASKS_CHANNEL = '__pregel_tasks';
/** Pending-write channel names used to persist task outcomes between runs. */
export const RESUME = '__resume__';
export const ERROR = '__error__';
/** Marker write for a task that finished with no writes, so it is not re-run. */
export const NO_WRITES = '__no_writes__';

/** Versions a graph's static interrupts have already paused on. */
export const INTERRUPT_SEEN = '__interrupt_seen__';

export const BRANCH_PREFIX = 'branch:to:';
export const JOIN_PREFIX = 'join:';

/** Separates namespace segments of nested subgraphs: `outer:taskId|inner:taskId`. */
export const NS_SEP = '|';
export const NS_END = ':';

export const RESERVED_NAMES = new Set([
  START,
  END,
  INTERRUPT,
  TASKS_CHANNEL,
  RESUME,
  ERROR,
  NO_WRITES,
]);
