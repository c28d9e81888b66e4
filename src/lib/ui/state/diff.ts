/**
 * The difference between two state snapshots, as a tree the state inspector can render.
 *
 * Snapshots are plain JSON-like values. Objects are compared key by key, arrays index by
 * index, except message lists (arrays whose items are objects with unique `id`s), which
 * are matched by id: appending a message then shows one added entry instead of every
 * later index looking changed, and a reducer replacing a message by id shows as a change
 * of that one message.
 *
 * `undefined` counts as "missing" (JSON has no undefined), so `{a: undefined}` and `{}`
 * are equal, while `null` is a value like any other.
 */

export type DiffKind = 'added' | 'removed' | 'changed' | 'unchanged';

/** One step of a path: an object key or an array index. */
export type PathSegment = string | number;

export interface DiffNode {
  /** Segments from the root to this value; `[]` for the root. */
  path: PathSegment[];
  /** The last segment of `path`; `null` for the root. */
  key: PathSegment | null;
  kind: DiffKind;
  /** The previous value (absent when `kind` is 'added'). */
  before?: unknown;
  /** The current value (absent when `kind` is 'removed'). */
  after?: unknown;
  /**
   * Entries of an object or array, in display order. For an id-matched list, removed
   * messages sit where they were; their `key` is their index in the previous list.
   */
  children?: DiffNode[];
  /** For items of a list matched by id: the id they were matched on. */
  id?: string | number;
  /**
   * Set when the walk stopped here (too deep, or a value containing itself) without
   * comparing the insides; `kind` then only says whether the two references differ.
   */
  truncated?: true;
}

export interface DiffOptions {
  /** How many levels to descend before giving up on the insides. Default 64. */
  maxDepth?: number;
}

const DEFAULT_MAX_DEPTH = 64;

/**
 * Compares two snapshots. Pass `undefined` as `previous` for "no previous checkpoint":
 * every entry is then 'added'.
 */
export function diffValues(
  previous: unknown,
  current: unknown,
  options: DiffOptions = {},
): DiffNode {
  const walk = new DiffWalk(options.maxDepth ?? DEFAULT_MAX_DEPTH);
  return walk.compare(previous, current, [], null);
}

class DiffWalk {
  /** Containers on the path currently being walked: meeting one again means a cycle. */
  private readonly ancestors = new Set<object>();

  constructor(private readonly maxDepth: number) {}

  compare(before: unknown, after: unknown, path: PathSegment[], key: PathSegment | null): DiffNode {
    if (before === undefined && after === undefined) {
      return { path, key, kind: 'unchanged' };
    }
    if (before === undefined) return this.oneSided('added', after, path, key);
    if (after === undefined) return this.oneSided('removed', before, path, key);

    const beforeShape = shapeOf(before);
    const afterShape = shapeOf(after);
    if (beforeShape === 'leaf' || afterShape === 'leaf' || beforeShape !== afterShape) {
      if (beforeShape === 'leaf' && afterShape === 'leaf') {
        return {
          path,
          key,
          kind: leafEqual(before, after) ? 'unchanged' : 'changed',
          before,
          after,
        };
      }
      // The value changed shape (say a string became an object): show what is there now,
      // or, when the new value is a leaf, what the container held before.
      const node: DiffNode = { path, key, kind: 'changed', before, after };
      const children =
        afterShape !== 'leaf'
          ? this.oneSided('added', after, path, key).children
          : this.oneSided('removed', before, path, key).children;
      if (children) node.children = children;
      return node;
    }

    const stop = this.stopHere(path, before as object, after as object);
    if (stop) {
      return {
        path,
        key,
        kind: before === after ? 'unchanged' : 'changed',
        before,
        after,
        truncated: true,
      };
    }

    this.ancestors.add(before as object);
    this.ancestors.add(after as object);
    let children: DiffNode[];
    try {
      children =
        beforeShape === 'array'
          ? this.compareArrays(before as unknown[], after as unknown[], path)
          : this.compareObjects(
              before as Record<string, unknown>,
              after as Record<string, unknown>,
              path,
            );
    } finally {
      this.ancestors.delete(before as object);
      this.ancestors.delete(after as object);
    }
    const kind = children.every((child) => child.kind === 'unchanged') ? 'unchanged' : 'changed';
    return { path, key, kind, before, after, children };
  }

  /** A value present on one side only; its insides carry the same kind. */
  private oneSided(
    kind: 'added' | 'removed',
    value: unknown,
    path: PathSegment[],
    key: PathSegment | null,
  ): DiffNode {
    const node: DiffNode = { path, key, kind };
    if (kind === 'added') node.after = value;
    else node.before = value;
    const shape = shapeOf(value);
    if (shape === 'leaf') return node;
    if (this.stopHere(path, value as object)) {
      node.truncated = true;
      return node;
    }
    this.ancestors.add(value as object);
    try {
      const entries: [PathSegment, unknown][] =
        shape === 'array'
          ? (value as unknown[]).map((item, index) => [index, item])
          : Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined);
      node.children = entries.map(([childKey, child]) =>
        this.oneSided(kind, child, [...path, childKey], childKey),
      );
    } finally {
      this.ancestors.delete(value as object);
    }
    return node;
  }

  private stopHere(path: PathSegment[], ...values: object[]): boolean {
    return path.length >= this.maxDepth || values.some((value) => this.ancestors.has(value));
  }

  private compareObjects(
    before: Record<string, unknown>,
    after: Record<string, unknown>,
    path: PathSegment[],
  ): DiffNode[] {
    // Current keys in their order, then keys that were removed: the tree reads like the
    // current state with the losses listed after it.
    const keys = Object.keys(after);
    for (const key of Object.keys(before)) if (!Object.hasOwn(after, key)) keys.push(key);
    return keys
      .filter((key) => before[key] !== undefined || after[key] !== undefined)
      .map((key) => this.compare(ownValue(before, key), ownValue(after, key), [...path, key], key));
  }

  private compareArrays(before: unknown[], after: unknown[], path: PathSegment[]): DiffNode[] {
    const beforeIds = itemIds(before);
    const afterIds = itemIds(after);
    if (beforeIds && afterIds && (before.length > 0 || after.length > 0)) {
      return this.compareById(before, after, beforeIds, afterIds, path);
    }
    const length = Math.max(before.length, after.length);
    const children: DiffNode[] = [];
    for (let index = 0; index < length; index++) {
      children.push(this.compare(before[index], after[index], [...path, index], index));
    }
    return children;
  }

  private compareById(
    before: unknown[],
    after: unknown[],
    beforeIds: (string | number)[],
    afterIds: (string | number)[],
    path: PathSegment[],
  ): DiffNode[] {
    const beforeIndexById = new Map(beforeIds.map((id, index) => [id, index]));
    const matched = new Set<number>();
    const children: DiffNode[] = [];
    let nextUnplaced = 0;
    // Removed items that sat before `limit` in the previous list go in front of the
    // current item matched there, so a deletion shows where it happened.
    const placeRemovedBefore = (limit: number) => {
      for (; nextUnplaced < limit; nextUnplaced++) {
        if (matched.has(nextUnplaced)) continue;
        const node = this.compare(
          before[nextUnplaced],
          undefined,
          [...path, nextUnplaced],
          nextUnplaced,
        );
        node.id = beforeIds[nextUnplaced];
        children.push(node);
      }
    };
    after.forEach((item, index) => {
      const id = afterIds[index];
      const beforeIndex = beforeIndexById.get(id);
      if (beforeIndex !== undefined) {
        matched.add(beforeIndex);
        placeRemovedBefore(beforeIndex);
      }
      const node = this.compare(
        beforeIndex === undefined ? undefined : before[beforeIndex],
        item,
        [...path, index],
        index,
      );
      node.id = id;
      children.push(node);
    });
    placeRemovedBefore(before.length);
    return children;
  }
}

type Shape = 'object' | 'array' | 'leaf';

function shapeOf(value: unknown): Shape {
  if (Array.isArray(value)) return 'array';
  return isPlainObject(value) ? 'object' : 'leaf';
}

/**
 * Plain objects only: a `Date` or `Map` that slipped into a snapshot is shown and
 * compared as one value instead of as its (empty) own keys.
 */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const prototype = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}

function leafEqual(a: unknown, b: unknown): boolean {
  if (Object.is(a, b)) return true;
  if (a instanceof Date && b instanceof Date) return a.getTime() === b.getTime();
  return false;
}

function ownValue(object: Record<string, unknown>, key: string): unknown {
  return Object.hasOwn(object, key) ? object[key] : undefined;
}

/**
 * The ids of a message-like list (every item a plain object with a string or number
 * `id`, all distinct), or null when the list must be compared by index.
 */
function itemIds(list: unknown[]): (string | number)[] | null {
  const ids: (string | number)[] = [];
  const seen = new Set<string | number>();
  for (const item of list) {
    if (!isPlainObject(item)) return null;
    const id = item.id;
    if ((typeof id !== 'string' && typeof id !== 'number') || seen.has(id)) return null;
    seen.add(id);
    ids.push(id);
  }
  return ids;
}

export interface ChangeCounts {
  added: number;
  removed: number;
  changed: number;
}

/**
 * How many entries were added, removed or changed, counting each at the highest level
 * where it happened: an added message counts once, not once per field inside it, and a
 * container counts only through its children.
 */
export function countChanges(node: DiffNode): ChangeCounts {
  const counts: ChangeCounts = { added: 0, removed: 0, changed: 0 };
  const visit = (n: DiffNode) => {
    if (n.kind === 'unchanged') return;
    // Recurse only where the children are a comparison of two containers of one shape;
    // otherwise (a leaf, a one-sided subtree, a change of shape) the node is the change.
    if (n.kind === 'changed' && n.children && !changedShape(n)) {
      n.children.forEach(visit);
    } else {
      counts[n.kind]++;
    }
  };
  visit(node);
  return counts;
}

/** A 'changed' node whose value changed shape, such as a string that became an object. */
export function changedShape(node: DiffNode): boolean {
  return node.kind === 'changed' && shapeOf(node.before) !== shapeOf(node.after);
}

/**
 * The tree without unchanged entries, keeping the containers on the way to a change.
 * Returns null when nothing changed.
 */
export function onlyChanges(node: DiffNode): DiffNode | null {
  if (node.kind === 'unchanged') return null;
  if (!node.children || node.kind !== 'changed') return node;
  const children = node.children
    .map((child) => onlyChanges(child))
    .filter((child): child is DiffNode => child !== null);
  return { ...node, children };
}

/** A path as people read it: `messages[2].content`. */
export function formatPath(path: PathSegment[]): string {
  let text = '';
  for (const segment of path) {
    if (typeof segment === 'number') text += `[${segment}]`;
    else if (/^[A-Za-z_$][\w$]*$/.test(segment)) text += text ? `.${segment}` : segment;
    else text += `[${JSON.stringify(segment)}]`;
  }
  return text;
}
