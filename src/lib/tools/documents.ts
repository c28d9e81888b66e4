/**
 * Documents agents write, kept in the browser's origin private file system (OPFS,
 * `navigator.storage.getDirectory()`), under `documents/`: a shared top folder, and
 * optional sub-folders (one per thread, say). The `/documents` page lists, opens,
 * downloads and deletes them.
 *
 * Four tools, after the hierarchical-teams example's writing team: `create_outline`,
 * `write_document`, `read_document` and `edit_document` (replace a line range, or one
 * exact string). Everything a model can get wrong (an unknown file, a line range past
 * the end, a string that is missing or occurs twice) comes back as an observation that
 * says so; storage failures (no OPFS in this browser, the quota is full) too, in plain
 * words. The text editing itself is pure functions, testable anywhere.
 */
import { pythonJsonDumps } from './python-format.js';
import { argumentsObject, type Tool, type ToolSpec } from './types.js';

export const DOCUMENTS_FOLDER = 'documents';

export type DocumentErrorKind =
  /** This browser (or context) has no usable OPFS. */
  | 'unsupported'
  /** The origin's storage quota is full. */
  | 'quota'
  | 'not_found'
  | 'invalid_name'
  /** An edit that cannot apply: range out of bounds, string missing or ambiguous. */
  | 'invalid_edit'
  | 'io';

export class DocumentError extends Error {
  readonly kind: DocumentErrorKind;
  constructor(kind: DocumentErrorKind, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'DocumentError';
    this.kind = kind;
  }
}

// ---------------------------------------------------------------------------------------
// Names and text edits (pure)
// ---------------------------------------------------------------------------------------

const NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9 ._-]{0,99}$/;

/**
 * A model's file name made safe: path separators and odd characters become `-`, and a
 * name without an extension gets `.md`. Throws `invalid_name` when nothing usable is left.
 */
export function normalizeDocumentName(raw: string): string {
  const base = raw.trim().split(/[\\/]/).filter(Boolean).at(-1) ?? '';
  let name = base
    .replace(/[^A-Za-z0-9 ._-]+/g, '-')
    .replace(/^[ ._-]+/, '')
    .replace(/[ ._-]+$/, '')
    .slice(0, 96);
  if (!name) throw new DocumentError('invalid_name', `"${raw}" is not a usable file name.`);
  if (!/\.[A-Za-z0-9]{1,8}$/.test(name)) name += '.md';
  return name;
}

/** A folder name (one level under `documents/`), strictly checked: folders come from code. */
export function checkFolderName(folder: string): string {
  if (folder !== '' && !NAME_PATTERN.test(folder))
    throw new DocumentError('invalid_name', `"${folder}" is not a valid folder name.`);
  return folder;
}

/** Splits `folder/name` (or `name`) into its parts, checking both. */
export function splitDocumentPath(path: string): { folder: string; name: string } {
  const parts = path.split('/');
  if (parts.length > 2 || parts.some((part) => !NAME_PATTERN.test(part)))
    throw new DocumentError('invalid_name', `"${path}" is not a valid document path.`);
  return parts.length === 2 ? { folder: parts[0], name: parts[1] } : { folder: '', name: parts[0] };
}

/** The numbered outline `create_outline` writes. */
export function formatOutline(points: readonly string[]): string {
  return points.map((point, i) => `${i + 1}. ${point.trim()}`).join('\n') + '\n';
}

export function splitLines(text: string): string[] {
  if (text === '') return [];
  const lines = text.split('\n');
  if (lines.at(-1) === '') lines.pop(); // a final newline ends the last line, not a new one
  return lines;
}

/** Lines `start`–`end` (1-based, inclusive) with their numbers, for `read_document`. */
export function numberLines(text: string, start = 1, end?: number): string {
  const lines = splitLines(text);
  const last = Math.min(end ?? lines.length, lines.length);
  const width = String(Math.max(last, 1)).length;
  const out: string[] = [];
  for (let n = Math.max(start, 1); n <= last; n++)
    out.push(`${String(n).padStart(width)} | ${lines[n - 1]}`);
  return out.join('\n');
}

/** Replaces lines `start`–`end` (1-based, inclusive) with `replacement` (any number of lines). */
export function replaceLines(
  text: string,
  start: number,
  end: number,
  replacement: string,
): string {
  const lines = splitLines(text);
  if (!Number.isInteger(start) || !Number.isInteger(end) || start < 1 || end < start)
    throw new DocumentError(
      'invalid_edit',
      `The line range ${start}–${end} is not valid: lines are numbered from 1 and end_line must not be before start_line.`,
    );
  if (end > lines.length)
    throw new DocumentError(
      'invalid_edit',
      `The document has ${lines.length} lines; the range ${start}–${end} goes past its end.`,
    );
  const inserted = replacement === '' ? [] : splitLines(replacement);
  lines.splice(start - 1, end - start + 1, ...inserted);
  return lines.length ? lines.join('\n') + '\n' : '';
}

/** Replaces the one occurrence of `find`; missing or repeated text is an error. */
export function replaceString(text: string, find: string, replacement: string): string {
  if (find === '') throw new DocumentError('invalid_edit', 'old_text must not be empty.');
  const first = text.indexOf(find);
  if (first < 0)
    throw new DocumentError('invalid_edit', `The text "${find}" is not in the document.`);
  if (text.indexOf(find, first + 1) >= 0)
    throw new DocumentError(
      'invalid_edit',
      `The text "${find}" occurs more than once; give more of it, or a line range.`,
    );
  return text.slice(0, first) + replacement + text.slice(first + find.length);
}

// ---------------------------------------------------------------------------------------
// The store (OPFS)
// ---------------------------------------------------------------------------------------

export interface DocumentInfo {
  /** `''` for the shared top folder. */
  folder: string;
  name: string;
  /** `folder/name`, or `name` in the top folder: what the page links to. */
  path: string;
  size: number;
  /** Milliseconds since the epoch. */
  lastModified: number;
}

type DirectoryWithEntries = FileSystemDirectoryHandle & {
  entries(): AsyncIterable<[string, FileSystemHandle]>;
};

function isQuotaError(error: unknown): boolean {
  return (error as DOMException)?.name === 'QuotaExceededError';
}

function storageError(error: unknown, what: string): DocumentError {
  if (error instanceof DocumentError) return error;
  if (isQuotaError(error))
    return new DocumentError(
      'quota',
      `The browser's storage for this site is full, so ${what} failed. Delete documents (or downloaded models) and try again.`,
      { cause: error },
    );
  const name = (error as DOMException)?.name;
  if (name === 'NotFoundError' || name === 'TypeMismatchError')
    return new DocumentError('not_found', `${what} failed: no such document.`, { cause: error });
  return new DocumentError('io', `${what} failed: ${(error as Error)?.message ?? error}`, {
    cause: error,
  });
}

export class DocumentStore {
  private constructor(private readonly root: FileSystemDirectoryHandle) {}

  /** Opens `documents/` in OPFS; `unsupported` when this browser has none. */
  static async open(
    storage: StorageManager | undefined = globalThis.navigator?.storage,
  ): Promise<DocumentStore> {
    if (typeof storage?.getDirectory !== 'function')
      throw new DocumentError(
        'unsupported',
        'This browser has no origin private file system (OPFS), so documents cannot be saved here. Use a recent Chrome, Edge, Firefox or Safari, outside private browsing.',
      );
    try {
      const top = await storage.getDirectory();
      return new DocumentStore(await top.getDirectoryHandle(DOCUMENTS_FOLDER, { create: true }));
    } catch (error) {
      // Firefox private windows and some embedded contexts refuse with SecurityError.
      const wrapped = storageError(error, 'Opening the documents folder');
      if (wrapped.kind === 'io')
        throw new DocumentError(
          'unsupported',
          `This browser refused its file system here (${(error as Error)?.message ?? error}), so documents cannot be saved.`,
          { cause: error },
        );
      throw wrapped;
    }
  }

  private async folderHandle(folder: string, create: boolean): Promise<FileSystemDirectoryHandle> {
    checkFolderName(folder);
    return folder === '' ? this.root : this.root.getDirectoryHandle(folder, { create });
  }

  private async fileHandle(path: string, create = false): Promise<FileSystemFileHandle> {
    const { folder, name } = splitDocumentPath(path);
    try {
      const dir = await this.folderHandle(folder, create);
      return await dir.getFileHandle(name, { create });
    } catch (error) {
      const wrapped = storageError(error, `Opening ${path}`);
      if (wrapped.kind === 'not_found')
        throw new DocumentError('not_found', `There is no document ${path}.`, { cause: error });
      throw wrapped;
    }
  }

  /** Every document, newest first: the top folder and one level of sub-folders. */
  async list(): Promise<DocumentInfo[]> {
    const found: DocumentInfo[] = [];
    const visit = async (dir: FileSystemDirectoryHandle, folder: string) => {
      for await (const [name, handle] of (dir as DirectoryWithEntries).entries()) {
        if (handle.kind === 'directory') {
          if (folder === '') await visit(handle as FileSystemDirectoryHandle, name);
          continue;
        }
        const file = await (handle as FileSystemFileHandle).getFile();
        found.push({
          folder,
          name,
          path: folder ? `${folder}/${name}` : name,
          size: file.size,
          lastModified: file.lastModified,
        });
      }
    };
    try {
      await visit(this.root, '');
    } catch (error) {
      throw storageError(error, 'Listing the documents');
    }
    return found.sort((a, b) => b.lastModified - a.lastModified || a.path.localeCompare(b.path));
  }

  async file(path: string): Promise<File> {
    const handle = await this.fileHandle(path);
    try {
      return await handle.getFile();
    } catch (error) {
      throw storageError(error, `Reading ${path}`);
    }
  }

  async read(path: string): Promise<string> {
    return (await this.file(path)).text();
  }

  async exists(path: string): Promise<boolean> {
    try {
      await this.fileHandle(path);
      return true;
    } catch (error) {
      if (error instanceof DocumentError && error.kind === 'not_found') return false;
      throw error;
    }
  }

  /** Creates or replaces the document; returns what was stored. */
  async write(path: string, text: string): Promise<DocumentInfo> {
    const handle = await this.fileHandle(path, true);
    if (typeof handle.createWritable !== 'function')
      throw new DocumentError(
        'unsupported',
        'This browser cannot write files from the page (no createWritable), so documents cannot be saved here.',
      );
    let writable: FileSystemWritableFileStream | undefined;
    try {
      writable = await handle.createWritable();
      await writable.write(text);
      await writable.close();
    } catch (error) {
      // An unclosed stream keeps the old content; drop the partial write.
      await writable?.abort().catch(() => undefined);
      throw storageError(error, `Saving ${path}`);
    }
    const { folder, name } = splitDocumentPath(path);
    const file = await handle.getFile();
    return { folder, name, path, size: file.size, lastModified: file.lastModified };
  }

  async remove(path: string): Promise<void> {
    const { folder, name } = splitDocumentPath(path);
    try {
      const dir = await this.folderHandle(folder, false);
      await dir.removeEntry(name);
    } catch (error) {
      const wrapped = storageError(error, `Deleting ${path}`);
      if (wrapped.kind === 'not_found')
        throw new DocumentError('not_found', `There is no document ${path}.`, { cause: error });
      throw wrapped;
    }
  }
}

// ---------------------------------------------------------------------------------------
// Tools
// ---------------------------------------------------------------------------------------

function spec(
  name: string,
  description: string,
  properties: Record<string, Record<string, unknown>>,
  required: string[],
): ToolSpec {
  return {
    type: 'function',
    function: { name, description, parameters: { type: 'object', properties, required } },
  } as ToolSpec;
}

/**
 * Bounds on what the tools accept. They go into the specs' JSON schemas, so a small model
 * under grammar-constrained decoding has to end its strings (and so its call) in time:
 * keep `contentChars` under about twice the writer's `maxTokens`.
 */
export interface DocumentLimits {
  /** Characters of `content` (write_document) and `new_text` (edit_document); default 4000. */
  contentChars?: number;
  /** Points of an outline (default 10) and characters per point (default 200). */
  outlinePoints?: number;
  pointChars?: number;
}

export function documentToolSpecs(limits: DocumentLimits = {}) {
  const contentChars = limits.contentChars ?? 4000;
  const fileName = { type: 'string', maxLength: 60 };
  return {
    createOutline: spec(
      'create_outline',
      'Create an outline (numbered points) and save it to a document.',
      {
        points: {
          type: 'array',
          items: { type: 'string', maxLength: limits.pointChars ?? 200 },
          minItems: 1,
          maxItems: limits.outlinePoints ?? 10,
        },
        file_name: fileName,
      },
      ['points', 'file_name'],
    ),
    writeDocument: spec(
      'write_document',
      'Write text to a document, replacing what it held.',
      { content: { type: 'string', maxLength: contentChars }, file_name: fileName },
      ['content', 'file_name'],
    ),
    readDocument: spec(
      'read_document',
      'Read a document, optionally lines start_line to end_line.',
      { file_name: fileName, start_line: { type: 'integer' }, end_line: { type: 'integer' } },
      ['file_name'],
    ),
    editDocument: spec(
      'edit_document',
      'Edit a document: replace lines start_line to end_line with new_text, or replace old_text with new_text.',
      {
        file_name: fileName,
        new_text: { type: 'string', maxLength: contentChars },
        start_line: { type: 'integer' },
        end_line: { type: 'integer' },
        old_text: { type: 'string', maxLength: 500 },
      },
      ['file_name', 'new_text'],
    ),
  };
}

const DEFAULT_SPECS = documentToolSpecs();
export const CREATE_OUTLINE_SPEC = DEFAULT_SPECS.createOutline;
export const WRITE_DOCUMENT_SPEC = DEFAULT_SPECS.writeDocument;
export const READ_DOCUMENT_SPEC = DEFAULT_SPECS.readDocument;
export const EDIT_DOCUMENT_SPEC = DEFAULT_SPECS.editDocument;

export interface DocumentToolsOptions {
  /** The store, opened on first use (`DocumentStore.open`); tests pass their own. */
  store?: () => Promise<DocumentStore>;
  /** Sub-folder of `documents/` the tools work in (default: the shared top folder). */
  folder?: string;
  /** Called after every successful write, with what was stored (demos record it in state). */
  onWrite?: (document: DocumentInfo) => void;
  limits?: DocumentLimits;
}

function errorObservation(error: unknown): string {
  const message =
    error instanceof DocumentError ? error.message : `${(error as Error)?.message ?? error}`;
  return pythonJsonDumps({ error: message }, { ensureAscii: false });
}

/** create_outline, write_document, read_document, edit_document over one folder. */
export function createDocumentTools(options: DocumentToolsOptions = {}): Tool[] {
  const folder = checkFolderName(options.folder ?? '');
  const specs = documentToolSpecs(options.limits);
  let opened: Promise<DocumentStore> | undefined;
  const store = () => {
    opened ??= (options.store ?? (() => DocumentStore.open()))();
    opened.catch(() => (opened = undefined)); // a refused open is retried next call
    return opened;
  };
  const pathOf = (rawName: unknown) => {
    if (typeof rawName !== 'string')
      throw new DocumentError('invalid_name', 'file_name must be a string.');
    const name = normalizeDocumentName(rawName);
    return folder ? `${folder}/${name}` : name;
  };
  const save = async (path: string, text: string) => {
    const info = await (await store()).write(path, text);
    options.onWrite?.(info);
    return info;
  };
  const optionalLine = (value: unknown, what: string): number | undefined => {
    if (value === undefined || value === null) return undefined;
    if (!Number.isInteger(value))
      throw new DocumentError('invalid_edit', `${what} must be a whole line number.`);
    return value as number;
  };
  const guarded =
    (run: (args: Record<string, unknown>) => Promise<string>) =>
    async (args: unknown): Promise<string> => {
      try {
        return await run(argumentsObject(args));
      } catch (error) {
        return errorObservation(error);
      }
    };

  return [
    {
      spec: specs.createOutline,
      run: guarded(async ({ points, file_name }) => {
        const list = Array.isArray(points)
          ? points.filter((p) => typeof p === 'string' && p.trim())
          : [];
        if (list.length === 0)
          throw new DocumentError('invalid_edit', 'points must list at least one point.');
        const info = await save(pathOf(file_name), formatOutline(list as string[]));
        return `Outline saved to ${info.path} (${list.length} points).`;
      }),
    },
    {
      spec: specs.writeDocument,
      run: guarded(async ({ content, file_name }) => {
        if (typeof content !== 'string')
          throw new DocumentError('invalid_edit', 'content must be a string.');
        const text = content.endsWith('\n') || content === '' ? content : `${content}\n`;
        const info = await save(pathOf(file_name), text);
        return `Document saved to ${info.path} (${splitLines(text).length} lines).`;
      }),
    },
    {
      spec: specs.readDocument,
      run: guarded(async ({ file_name, start_line, end_line }) => {
        const path = pathOf(file_name);
        const text = await (await store()).read(path);
        const start = optionalLine(start_line, 'start_line') ?? 1;
        const end = optionalLine(end_line, 'end_line');
        const total = splitLines(text).length;
        if (total === 0) return `${path} is empty.`;
        if (start > total)
          throw new DocumentError(
            'invalid_edit',
            `${path} has ${total} lines; start_line ${start} is past its end.`,
          );
        return numberLines(text, start, end);
      }),
    },
    {
      spec: specs.editDocument,
      run: guarded(async ({ file_name, new_text, start_line, end_line, old_text }) => {
        const path = pathOf(file_name);
        if (typeof new_text !== 'string')
          throw new DocumentError('invalid_edit', 'new_text must be a string.');
        const start = optionalLine(start_line, 'start_line');
        const end = optionalLine(end_line, 'end_line');
        const byString = typeof old_text === 'string' && old_text !== '';
        if (byString && start !== undefined)
          throw new DocumentError(
            'invalid_edit',
            'Give either old_text or a line range, not both.',
          );
        if (!byString && start === undefined)
          throw new DocumentError(
            'invalid_edit',
            'Give old_text to replace, or start_line (and end_line).',
          );
        const text = await (await store()).read(path);
        const edited = byString
          ? replaceString(text, old_text as string, new_text)
          : replaceLines(text, start!, end ?? start!, new_text);
        const info = await save(path, edited);
        return `Edited ${info.path}; it now has ${splitLines(edited).length} lines.`;
      }),
    },
  ];
}
