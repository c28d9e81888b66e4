/**
 * Forms from the JSON schema an interrupt carries: the schema describes the answer a
 * node wants (approve or revise, an edited text, accept / edit / respond for a tool
 * call), and this module turns it into a list of fields, a starting value and a
 * validator whose errors point at those fields.
 *
 * The value being edited is always the answer itself (plain JSON); every field names the
 * part it edits with a JSON Pointer (RFC 6901: `/args/city`, `''` for the whole answer),
 * and `readPointer` / `writePointer` get and set that part.
 *
 * Form conventions layered on JSON schema, because a form cannot show "absent" and
 * "empty" apart:
 * - a required string that is empty counts as missing;
 * - clearing an optional field removes its key (`writePointer` with `undefined`);
 * - a boolean is never missing: an unchecked box is `false`.
 *
 * Schemas this does not know how to draw (arrays of objects, `$ref`, untagged unions)
 * become a JSON text field, so an interrupt can always be answered.
 */
import {
  asSchemaObject,
  constOf,
  findDiscriminator,
  jsonEqual,
  objectProperties as schemaProperties,
  schemaIssues,
  unionBranches as schemaBranches,
  type JsonSchemaObject,
  type SchemaIssueDetail,
} from '$lib/llm/json-schema';

export { findDiscriminator };

/**
 * A deep copy of a JSON value. Not `structuredClone`: schemas and values may arrive as
 * Svelte state proxies, which `structuredClone` refuses.
 */
function cloneJson<T>(value: T): T {
  return value === undefined ? value : (JSON.parse(JSON.stringify(value)) as T);
}

export type SchemaType = 'object' | 'string' | 'number' | 'integer' | 'boolean' | 'array' | 'null';

/** A JSON schema as forms read it (the keywords that shape fields are spelled out). */
export interface FormSchema extends JsonSchemaObject {
  type?: SchemaType | SchemaType[];
  title?: string;
  description?: string;
  default?: unknown;
  const?: unknown;
  enum?: unknown[];
  /** `'textarea'` asks for a multi-line box; `email`, `uri` and `date` pick input types. */
  format?: string;
  properties?: Record<string, FormSchema | boolean>;
  required?: string[];
  additionalProperties?: FormSchema | boolean;
  items?: FormSchema | boolean;
  minItems?: number;
  maxItems?: number;
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  oneOf?: (FormSchema | boolean)[];
  anyOf?: (FormSchema | boolean)[];
  allOf?: (FormSchema | boolean)[];
  [keyword: string]: unknown;
}

/** What an interrupt that wants a form carries as its value. */
export interface InterruptRequest {
  /** The question, shown as the form's title. */
  question?: string;
  /** The JSON schema of the answer. */
  schema: FormSchema | boolean;
  /** Anything that helps answer (the tool call under review, a draft). */
  context?: unknown;
}

/**
 * The form request an interrupt's value makes. A value carrying a `schema` is taken as
 * it is; a plain string is a question answered with any JSON; anything else is shown as
 * context above a JSON answer box. So every interrupt, not only the demos', can be
 * answered from the panel.
 */
export function interruptRequestOf(value: unknown): InterruptRequest {
  if (typeof value === 'string') return { question: value, schema: true };
  if (!isPlainObject(value)) return { schema: true, context: value };
  const { question, schema, ...rest } = value;
  const request: InterruptRequest = {
    schema:
      isPlainObject(schema) || typeof schema === 'boolean'
        ? (schema as FormSchema | boolean)
        : true,
  };
  if (typeof question === 'string') request.question = question;
  if ('context' in rest) request.context = rest.context;
  else if (request.schema === true && Object.keys(rest).length) request.context = rest;
  return request;
}

interface FieldCommon {
  /** JSON Pointer of the part of the answer this field edits. */
  path: string;
  label: string;
  description?: string;
  required: boolean;
  /** The schema allows `null` too: a cleared required field writes null. */
  nullable: boolean;
  schema: FormSchema;
}

export interface EnumOption {
  value: unknown;
  label: string;
  description?: string;
}

export interface ChoiceOption extends EnumOption {
  /** The branch's schema (an object schema). */
  schema: FormSchema;
  /** The branch's own fields, the discriminator left out. */
  fields: FormField[];
}

export type FormField =
  | (FieldCommon & {
      kind: 'text';
      inputType: 'text' | 'email' | 'url' | 'date';
      minLength?: number;
      maxLength?: number;
    })
  | (FieldCommon & { kind: 'textarea'; minLength?: number; maxLength?: number })
  | (FieldCommon & { kind: 'number'; integer: boolean; minimum?: number; maximum?: number })
  | (FieldCommon & { kind: 'checkbox' })
  | (FieldCommon & { kind: 'radio'; options: EnumOption[] })
  /** An array of strings, edited one item per line. */
  | (FieldCommon & { kind: 'lines' })
  /** A nested object: its own fields, drawn in a fieldset. */
  | (FieldCommon & { kind: 'group'; fields: FormField[] })
  /**
   * A `oneOf`/`anyOf` of objects told apart by a `const` property (`discriminator`):
   * pick an option, then fill that option's fields.
   */
  | (FieldCommon & { kind: 'choice'; discriminator: string; options: ChoiceOption[] })
  /** A fixed value (`const`): nothing to fill in. */
  | (FieldCommon & { kind: 'constant'; value: unknown })
  /** Anything else, edited as JSON text. */
  | (FieldCommon & { kind: 'json' });

export interface FieldError {
  /** JSON Pointer of the offending part of the answer. */
  path: string;
  message: string;
}

/** Schemas nest this deep at most before the rest is edited as JSON (and validated no further). */
const MAX_DEPTH = 32;

/** Strings allowed to be longer than this get a multi-line box. */
const TEXTAREA_MIN_MAX_LENGTH = 200;

// ---------------------------------------------------------------------------
// Schema → fields

/**
 * The fields of a form for `schema`. An object schema gives one field per property; any
 * other schema gives one field for the whole answer (path `''`).
 */
export function schemaToFields(schema: FormSchema | boolean): FormField[] {
  const root = asSchema(schema);
  if (objectProperties(root) && !unionBranches(root)) {
    return propertyFields(root, '', 0);
  }
  return [schemaToField(root, '', { label: root.title ?? 'Answer', required: true })];
}

/** The field for one schema at `path`. */
export function schemaToField(
  schemaOrBoolean: FormSchema | boolean,
  path: string,
  { label, required, depth = 0 }: { label: string; required: boolean; depth?: number },
): FormField {
  const schema = asSchema(schemaOrBoolean);
  const { type, nullable } = mainType(schema);
  const common: FieldCommon = {
    path,
    label: schema.title ?? label,
    required,
    nullable,
    schema,
  };
  if (schema.description) common.description = schema.description;
  if (depth > MAX_DEPTH) return { ...common, kind: 'json' };

  const branches = unionBranches(schema);
  if (branches) {
    const constants = constantOptions(branches);
    if (constants) return { ...common, kind: 'radio', options: constants };
    const discriminator = findDiscriminator(branches);
    if (discriminator) {
      return {
        ...common,
        kind: 'choice',
        discriminator,
        options: choiceOptions(branches, discriminator, path, depth),
      };
    }
    return { ...common, kind: 'json' };
  }

  if (schema.const !== undefined) return { ...common, kind: 'constant', value: schema.const };
  if (Array.isArray(schema.enum)) {
    return {
      ...common,
      kind: 'radio',
      options: schema.enum.map((value) => ({ value, label: optionLabel(value) })),
    };
  }

  switch (type) {
    case 'string': {
      const lengths = {
        ...(schema.minLength !== undefined ? { minLength: schema.minLength } : {}),
        ...(schema.maxLength !== undefined ? { maxLength: schema.maxLength } : {}),
      };
      const long =
        schema.format === 'textarea' ||
        (schema.maxLength !== undefined && schema.maxLength > TEXTAREA_MIN_MAX_LENGTH);
      if (long) return { ...common, kind: 'textarea', ...lengths };
      return { ...common, kind: 'text', inputType: inputTypeFor(schema.format), ...lengths };
    }
    case 'number':
    case 'integer':
      return {
        ...common,
        kind: 'number',
        integer: type === 'integer',
        ...(schema.minimum !== undefined ? { minimum: schema.minimum } : {}),
        ...(schema.maximum !== undefined ? { maximum: schema.maximum } : {}),
      };
    case 'boolean':
      return { ...common, kind: 'checkbox' };
    case 'null':
      return { ...common, kind: 'constant', value: null };
    case 'array': {
      const items = asSchema(schema.items ?? true);
      const itemType = mainType(items);
      const plainStrings =
        itemType.type === 'string' &&
        !itemType.nullable &&
        items.enum === undefined &&
        items.const === undefined &&
        !unionBranches(items);
      return plainStrings ? { ...common, kind: 'lines' } : { ...common, kind: 'json' };
    }
    case 'object':
      if (objectProperties(schema)) {
        return { ...common, kind: 'group', fields: propertyFields(schema, path, depth + 1) };
      }
      return { ...common, kind: 'json' };
    default:
      return { ...common, kind: 'json' };
  }
}

function choiceOptions(
  branches: FormSchema[],
  discriminator: string,
  path: string,
  depth: number,
): ChoiceOption[] {
  const discriminatorPath = `${path}/${escapePointer(discriminator)}`;
  return branches.map((branch) => {
    const value = constOf(asSchema(branch.properties?.[discriminator]));
    return {
      value,
      label: branch.title ?? optionLabel(value),
      ...(branch.description ? { description: branch.description } : {}),
      schema: branch,
      // The option's own radio button sets the discriminator; no field for it.
      fields: propertyFields(branch, path, depth + 1).filter((f) => f.path !== discriminatorPath),
    };
  });
}

function propertyFields(schema: FormSchema, basePath: string, depth: number): FormField[] {
  const required = new Set(schema.required ?? []);
  return Object.entries(objectProperties(schema) ?? {}).map(([key, child]) =>
    schemaToField(child, `${basePath}/${escapePointer(key)}`, {
      label: humanize(key),
      required: required.has(key),
      depth,
    }),
  );
}

/** `oneOf` or `anyOf` branches, booleans read as schemas. */
function unionBranches(schema: FormSchema): FormSchema[] | null {
  return schemaBranches(schema) as FormSchema[] | null;
}

/** `oneOf: [{const: 'a', title: 'A'}, …]`: the titled way to write an enum. */
function constantOptions(branches: FormSchema[]): EnumOption[] | null {
  if (!branches.every((b) => b.const !== undefined && !objectProperties(b))) return null;
  return branches.map((b) => ({
    value: b.const,
    label: b.title ?? optionLabel(b.const),
    ...(b.description ? { description: b.description } : {}),
  }));
}

function objectProperties(schema: FormSchema): Record<string, FormSchema | boolean> | null {
  return schemaProperties(schema) as Record<string, FormSchema | boolean> | null;
}

/** The one non-null type a schema names (or implies), and whether null is allowed too. */
function mainType(schema: FormSchema): { type: SchemaType | null; nullable: boolean } {
  const types =
    schema.type === undefined ? [] : Array.isArray(schema.type) ? schema.type : [schema.type];
  const nullable = types.includes('null');
  const others = types.filter((t) => t !== 'null');
  if (others.length === 1) return { type: others[0], nullable };
  if (others.length > 1) return { type: null, nullable };
  if (types.length === 1) return { type: 'null', nullable: false };
  if (objectProperties(schema)) return { type: 'object', nullable };
  return { type: null, nullable };
}

function inputTypeFor(format: string | undefined): 'text' | 'email' | 'url' | 'date' {
  if (format === 'email') return 'email';
  if (format === 'uri' || format === 'url') return 'url';
  if (format === 'date') return 'date';
  return 'text';
}

function asSchema(schema: FormSchema | boolean | undefined): FormSchema {
  return asSchemaObject(schema) as FormSchema;
}

/** `tool_call_id` → "Tool call id", `maxTokens` → "Max tokens". */
export function humanize(key: string): string {
  const words = key
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/[_-]+/g, ' ')
    .trim()
    .toLowerCase();
  return words ? words[0].toUpperCase() + words.slice(1) : key;
}

function optionLabel(value: unknown): string {
  return typeof value === 'string' ? humanize(value) : JSON.stringify(value);
}

// ---------------------------------------------------------------------------
// Starting values

/**
 * The answer a fresh form starts from: `default` where given, `const` values, `false`
 * for booleans, empty lists for required arrays, objects filled in recursively. A union
 * without a default starts unchosen (`undefined`), so nobody approves by accident.
 */
export function defaultValue(schemaOrBoolean: FormSchema | boolean, depth = 0): unknown {
  const schema = asSchema(schemaOrBoolean);
  if (depth > MAX_DEPTH) return undefined;
  if (schema.default !== undefined) return cloneJson(schema.default);
  if (schema.const !== undefined) return cloneJson(schema.const);
  if (unionBranches(schema)) return undefined;
  const { type } = mainType(schema);
  if (type === 'boolean') return false;
  if (type === 'null') return null;
  if (type === 'object' && objectProperties(schema)) {
    const required = new Set(schema.required ?? []);
    const value: Record<string, unknown> = {};
    for (const [key, child] of Object.entries(objectProperties(schema) ?? {})) {
      let childValue = defaultValue(child, depth + 1);
      if (
        childValue === undefined &&
        required.has(key) &&
        mainType(asSchema(child)).type === 'array'
      ) {
        childValue = [];
      }
      if (childValue !== undefined) value[key] = childValue;
    }
    return value;
  }
  return undefined;
}

/**
 * The value of `object` after choosing `option`: the option's defaults with its
 * discriminator set. Fields of the same name keep what was typed into them when the
 * value still fits the new option's schema (switching "edit" to "respond" and back does
 * not lose the edit's shared fields).
 */
export function chooseOption(
  field: Extract<FormField, { kind: 'choice' }>,
  option: ChoiceOption,
  current: unknown,
): Record<string, unknown> {
  const fresh = defaultValue(option.schema);
  const next: Record<string, unknown> = isPlainObject(fresh) ? fresh : {};
  if (isPlainObject(current)) {
    const properties = objectProperties(option.schema) ?? {};
    for (const [key, value] of Object.entries(current)) {
      if (key === field.discriminator || !Object.hasOwn(properties, key)) continue;
      if (validateAgainstSchema(properties[key], value).length === 0) next[key] = value;
    }
  }
  next[field.discriminator] = cloneJson(option.value);
  return next;
}

/** The option `value` has chosen, by its discriminator; undefined when none is. */
export function chosenOption(
  field: Extract<FormField, { kind: 'choice' }>,
  value: unknown,
): ChoiceOption | undefined {
  if (!isPlainObject(value)) return undefined;
  const tag = value[field.discriminator];
  return field.options.find((option) => jsonEqual(option.value, tag));
}

// ---------------------------------------------------------------------------
// Validation

/**
 * Why `value` does not answer `schema`, as messages a person can act on, each at the
 * JSON Pointer of the part it is about. An empty list means valid. Never throws.
 * The answer itself is always required: `undefined` is no answer, whatever the schema.
 * The checking is the project's one validator (`schemaIssues`); this words its findings.
 */
export function validateAgainstSchema(schema: FormSchema | boolean, value: unknown): FieldError[] {
  if (value === undefined) return [{ path: '', message: missingMessage(asSchema(schema)) }];
  return schemaIssues(value, schema, { emptyStringIsMissing: true }).map((issue) => {
    const pointer = issue.at.map((segment) => `/${escapePointer(String(segment))}`).join('');
    if (issue.kind === 'required') {
      return {
        path: `${pointer}/${escapePointer(issue.key)}`,
        message: missingMessage(asSchema(issue.schema as FormSchema | boolean | undefined)),
      };
    }
    if (issue.kind === 'additional') {
      return {
        path: `${pointer}/${escapePointer(issue.key)}`,
        message: `"${issue.key}" is not an allowed field`,
      };
    }
    return { path: pointer, message: fieldMessage(issue) };
  });
}

function fieldMessage(issue: SchemaIssueDetail): string {
  switch (issue.kind) {
    case 'nothing-allowed':
      return 'No value is allowed here';
    case 'type':
      return typeMessage(issue.types);
    case 'const':
      return `Must be ${JSON.stringify(issue.expected)}`;
    case 'enum':
      return `Choose one of: ${issue.options.map(optionLabel).join(', ')}`;
    case 'choice':
      return 'Choose one of the options';
    case 'no-branch':
      return 'Does not match any of the allowed forms';
    case 'many-branches':
      return 'Matches more than one of the allowed forms';
    case 'minLength':
      return `Needs at least ${plural(issue.limit, 'character')}`;
    case 'maxLength':
      return `Allows at most ${plural(issue.limit, 'character')} (now ${issue.length})`;
    case 'pattern':
      return `Must match the pattern ${issue.pattern}`;
    case 'minimum':
      return `Must be at least ${issue.limit}`;
    case 'maximum':
      return `Must be at most ${issue.limit}`;
    case 'exclusiveMinimum':
      return `Must be more than ${issue.limit}`;
    case 'exclusiveMaximum':
      return `Must be less than ${issue.limit}`;
    case 'minItems':
      return `Needs at least ${plural(issue.limit, 'item')}`;
    case 'maxItems':
      return `Allows at most ${plural(issue.limit, 'item')}`;
    case 'required':
    case 'additional':
      return 'Not allowed here';
  }
}

function missingMessage(schema: FormSchema): string {
  const branches = unionBranches(schema);
  if (branches || Array.isArray(schema.enum)) return 'Choose one of the options';
  return 'Required';
}

const TYPE_NAMES: Record<SchemaType, string> = {
  object: 'an object',
  array: 'a list',
  string: 'text',
  number: 'a number',
  integer: 'a whole number',
  boolean: 'true or false',
  null: 'empty (null)',
};

function typeMessage(types: SchemaType[]): string {
  return `Must be ${types.map((type) => TYPE_NAMES[type] ?? type).join(' or ')}`;
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}

// ---------------------------------------------------------------------------
// Reading and writing parts of the answer

/** `~` and `/` escaped as RFC 6901 says. */
export function escapePointer(key: string): string {
  return key.replace(/~/g, '~0').replace(/\//g, '~1');
}

function pointerSegments(pointer: string): string[] {
  if (pointer === '') return [];
  return pointer
    .slice(1)
    .split('/')
    .map((segment) => segment.replace(/~1/g, '/').replace(/~0/g, '~'));
}

/** The part of `value` at `pointer`, or undefined when the way there is missing. */
export function readPointer(value: unknown, pointer: string): unknown {
  let current = value;
  for (const segment of pointerSegments(pointer)) {
    if (Array.isArray(current)) current = current[Number(segment)];
    else if (isPlainObject(current) && Object.hasOwn(current, segment)) current = current[segment];
    else return undefined;
  }
  return current;
}

/**
 * A copy of `value` with the part at `pointer` replaced (removed when `part` is
 * undefined), creating objects on the way as needed. `value` itself is not modified.
 */
export function writePointer(value: unknown, pointer: string, part: unknown): unknown {
  const segments = pointerSegments(pointer);
  const write = (current: unknown, index: number): unknown => {
    if (index === segments.length) return part;
    const segment = segments[index];
    if (Array.isArray(current)) {
      const copy = [...current];
      copy[Number(segment)] = write(current[Number(segment)], index + 1);
      return copy;
    }
    const copy: Record<string, unknown> = isPlainObject(current) ? { ...current } : {};
    const next = write(copy[segment], index + 1);
    if (next === undefined) delete copy[segment];
    else copy[segment] = next;
    return copy;
  };
  return write(value, 0);
}

/** `true` when `inner` is `outer` or lies inside it. */
export function pointerContains(outer: string, inner: string): boolean {
  return inner === outer || inner.startsWith(`${outer}/`);
}

// ---------------------------------------------------------------------------
// Text inputs ↔ values

/** An array of strings as the text of its box: one item per line. */
export function linesToText(value: unknown): string {
  return Array.isArray(value) ? value.map(String).join('\n') : '';
}

/** The box's text as a list: one item per non-blank line. */
export function textToLines(text: string): string[] {
  return text.split(/\r?\n/).filter((line) => line.trim() !== '');
}

/** A number box's text as a number; undefined when blank or not a number. */
export function textToNumber(text: string): number | undefined {
  if (text.trim() === '') return undefined;
  const number = Number(text);
  return Number.isFinite(number) ? number : undefined;
}

/** A JSON box's text: the value, or a message saying why it does not parse. */
export function parseJsonText(text: string): { value: unknown } | { error: string } {
  if (text.trim() === '') return { value: undefined };
  try {
    return { value: JSON.parse(text) };
  } catch (error) {
    return { error: `Not valid JSON: ${(error as Error).message}` };
  }
}

// ---------------------------------------------------------------------------
// Errors → fields

/**
 * Sorts errors to the fields that show them: each error goes to the deepest field now
 * on screen whose path contains it (a choice shows only its chosen option's fields).
 * Errors no field contains are returned as `unplaced`, for a list above the form.
 */
export function placeErrors(
  fields: FormField[],
  value: unknown,
  errors: FieldError[],
): { byPath: Map<string, string[]>; unplaced: FieldError[] } {
  const visible: string[] = [];
  const collect = (list: FormField[]) => {
    for (const field of list) {
      visible.push(field.path);
      if (field.kind === 'group') collect(field.fields);
      if (field.kind === 'choice') {
        const option = chosenOption(field, readPointer(value, field.path));
        if (option) collect(option.fields);
      }
    }
  };
  collect(fields);
  const byPath = new Map<string, string[]>();
  const unplaced: FieldError[] = [];
  for (const error of errors) {
    let owner: string | null = null;
    for (const path of visible) {
      if (pointerContains(path, error.path) && (owner === null || path.length > owner.length)) {
        owner = path;
      }
    }
    if (owner === null) unplaced.push(error);
    else byPath.set(owner, [...(byPath.get(owner) ?? []), error.message]);
  }
  return { byPath, unplaced };
}

// ---------------------------------------------------------------------------

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
