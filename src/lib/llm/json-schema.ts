/**
 * The project's one JSON-schema validator: the subset that function-calling specs and
 * interrupt forms actually use. Unknown keywords are ignored (so a richer schema still
 * validates what we understand, and never rejects on what we do not).
 *
 * Supported: `type` (object, string, number, integer, boolean, array, null, or a list of
 * them), `properties`, `required`, `additionalProperties` (false or a schema), `enum`,
 * `const`, `items`, `minItems`/`maxItems`, `minLength`/`maxLength`, `pattern`,
 * `minimum`/`maximum`, `exclusiveMinimum`/`exclusiveMaximum` (numeric form), `anyOf`,
 * `oneOf`, `allOf`, `not: {}`, and boolean schemas. A union whose branches are constants,
 * or whose object branches pin one property to different constants (a discriminator), is
 * checked as a choice among them.
 *
 * `schemaIssues` walks a value once and reports structured issues; two renderings read
 * them: `validateJsonSchema` as sentences with a dotted path ("arguments.city: expected a
 * string, got 42"), because they go back to a model as an observation, and the interrupt
 * forms (`ui/interrupts/schema-form.ts`) as short messages at JSON Pointers next to fields.
 */

export type JsonSchemaType =
  'object' | 'string' | 'number' | 'integer' | 'boolean' | 'array' | 'null';

export interface JsonSchemaObject {
  type?: JsonSchemaType | JsonSchemaType[];
  title?: string;
  description?: string;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: boolean | JsonSchema;
  enum?: unknown[];
  const?: unknown;
  items?: JsonSchema;
  minItems?: number;
  maxItems?: number;
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  allOf?: JsonSchema[];
  [keyword: string]: unknown;
}

export type JsonSchema = JsonSchemaObject | boolean;

/** A path segment: an object key or an array index. */
export type PathSegment = string | number;

/** What is wrong, in terms a renderer can word for its reader. */
export type SchemaProblem =
  | { kind: 'nothing-allowed' }
  | { kind: 'type'; types: JsonSchemaType[] }
  | { kind: 'const'; expected: unknown }
  | { kind: 'enum'; options: unknown[] }
  /** A union of constants or a discriminated union: `options` are the allowed values. */
  | { kind: 'choice'; options: unknown[]; discriminator?: string }
  | { kind: 'no-branch' }
  | { kind: 'many-branches' }
  | { kind: 'minimum' | 'maximum' | 'exclusiveMinimum' | 'exclusiveMaximum'; limit: number }
  | { kind: 'minLength' | 'maxLength'; limit: number; length: number }
  | { kind: 'pattern'; pattern: string }
  | { kind: 'minItems' | 'maxItems'; limit: number }
  /** `at` is the object; `key` the missing property and `schema` its schema. */
  | { kind: 'required'; key: string; schema: JsonSchema | undefined }
  /** `at` is the object; `key` the property no schema allows. */
  | { kind: 'additional'; key: string; allowed: string[] };

export type SchemaIssueDetail = SchemaProblem & {
  /** Where, from the root: keys and indices. */
  at: PathSegment[];
  /** The offending value (for `required` and `additional`: the object). */
  value: unknown;
};

export interface SchemaWalkOptions {
  /**
   * A form cannot show "absent" and "empty" apart, so there a required string that is
   * empty counts as missing (and is not checked further).
   */
  emptyStringIsMissing?: boolean;
}

/** Every way `value` fails `schema`, in document order; empty when it is valid. Never throws. */
export function schemaIssues(
  value: unknown,
  schema: JsonSchema,
  options: SchemaWalkOptions = {},
): SchemaIssueDetail[] {
  const issues: SchemaIssueDetail[] = [];
  walk(value, schema, [], issues, 0, options);
  return issues;
}

export interface SchemaIssue {
  /** Dotted path from the root, e.g. `arguments.items[2].name`. */
  path: string;
  message: string;
}

/** Why a value fails `schema`, as sentences for a model; empty means valid. Never throws. */
export function validateJsonSchema(
  value: unknown,
  schema: JsonSchema,
  rootPath = '$',
): SchemaIssue[] {
  return schemaIssues(value, schema).map((issue) => ({
    path:
      rootPath +
      issue.at
        .map((segment) => (typeof segment === 'number' ? `[${segment}]` : `.${segment}`))
        .join(''),
    message: sentenceFor(issue),
  }));
}

function sentenceFor(issue: SchemaIssueDetail): string {
  const { value } = issue;
  switch (issue.kind) {
    case 'nothing-allowed':
      return 'no value is allowed here';
    case 'type':
      return `expected ${issue.types.map(article).join(' or ')}, got ${describe(value)}`;
    case 'const':
      return `must be ${preview(issue.expected)}, got ${preview(value)}`;
    case 'enum':
      return `must be one of ${issue.options.map(preview).join(', ')}, got ${preview(value)}`;
    case 'choice':
      return issue.discriminator
        ? `"${issue.discriminator}" must be one of ${issue.options.map(preview).join(', ')}`
        : `must be one of ${issue.options.map(preview).join(', ')}, got ${preview(value)}`;
    case 'no-branch':
      return 'does not match any of the allowed shapes';
    case 'many-branches':
      return 'matches more than one of the allowed shapes (exactly one is allowed)';
    case 'minimum':
      return `must be at least ${issue.limit}, got ${preview(value)}`;
    case 'maximum':
      return `must be at most ${issue.limit}, got ${preview(value)}`;
    case 'exclusiveMinimum':
      return `must be greater than ${issue.limit}, got ${preview(value)}`;
    case 'exclusiveMaximum':
      return `must be less than ${issue.limit}, got ${preview(value)}`;
    case 'minLength':
      return `must have at least ${issue.limit} characters`;
    case 'maxLength':
      return `must have at most ${issue.limit} characters`;
    case 'pattern':
      return `must match the pattern ${issue.pattern}`;
    case 'minItems':
      return `must have at least ${issue.limit} items`;
    case 'maxItems':
      return `must have at most ${issue.limit} items`;
    case 'required':
      return `is missing the required property "${issue.key}"`;
    case 'additional':
      return (
        `has an unexpected property "${issue.key}"` +
        (issue.allowed.length
          ? ` (allowed: ${issue.allowed.join(', ')})`
          : ' (no properties are allowed)')
      );
  }
}

/** Deeper than any sensible arguments object; guards against self-referencing schemas. */
const MAX_DEPTH = 64;

function walk(
  value: unknown,
  schema: JsonSchema | undefined | null,
  at: PathSegment[],
  issues: SchemaIssueDetail[],
  depth: number,
  options: SchemaWalkOptions,
): void {
  const report = (problem: SchemaProblem) => issues.push({ ...problem, at, value });
  if (schema === true || schema === undefined || schema === null) return;
  if (schema === false || (isPlainObject(schema) && isNothing(schema.not))) {
    report({ kind: 'nothing-allowed' });
    return;
  }
  if (!isPlainObject(schema) || depth > MAX_DEPTH) return;

  if (Array.isArray(schema.allOf)) {
    for (const part of schema.allOf) walk(value, part, at, issues, depth + 1, options);
  }

  const branches = unionBranches(schema);
  if (branches) {
    walkUnion(value, schema, branches, at, issues, depth, options);
    return; // the chosen branch has said all there is to say
  }

  if (schema.type !== undefined) {
    const types = Array.isArray(schema.type) ? schema.type : [schema.type];
    if (!types.some((t) => hasJsonType(value, t))) {
      report({ kind: 'type', types });
      return; // further keywords would only repeat the same mistake
    }
  }

  if (schema.const !== undefined && !jsonEqual(value, schema.const)) {
    report({ kind: 'const', expected: schema.const });
  }
  if (Array.isArray(schema.enum) && !schema.enum.some((e) => jsonEqual(value, e))) {
    report({ kind: 'enum', options: schema.enum });
  }

  if (typeof value === 'number') {
    for (const kind of ['minimum', 'maximum', 'exclusiveMinimum', 'exclusiveMaximum'] as const) {
      const limit = schema[kind];
      if (typeof limit !== 'number') continue;
      const fails =
        kind === 'minimum'
          ? value < limit
          : kind === 'maximum'
            ? value > limit
            : kind === 'exclusiveMinimum'
              ? value <= limit
              : value >= limit;
      if (fails) report({ kind, limit });
    }
  }

  if (typeof value === 'string') {
    // Count code points, as JSON schema does, not UTF-16 units.
    const length = [...value].length;
    if (typeof schema.minLength === 'number' && length < schema.minLength) {
      report({ kind: 'minLength', limit: schema.minLength, length });
    }
    if (typeof schema.maxLength === 'number' && length > schema.maxLength) {
      report({ kind: 'maxLength', limit: schema.maxLength, length });
    }
    if (typeof schema.pattern === 'string') {
      const pattern = compilePattern(schema.pattern);
      if (pattern && !pattern.test(value)) report({ kind: 'pattern', pattern: schema.pattern });
    }
  }

  if (Array.isArray(value)) {
    if (typeof schema.minItems === 'number' && value.length < schema.minItems) {
      report({ kind: 'minItems', limit: schema.minItems });
    }
    if (typeof schema.maxItems === 'number' && value.length > schema.maxItems) {
      report({ kind: 'maxItems', limit: schema.maxItems });
    }
    if (schema.items !== undefined) {
      value.forEach((item, i) => walk(item, schema.items, [...at, i], issues, depth + 1, options));
    }
  }

  if (isPlainObject(value)) walkObject(value, schema, at, issues, depth, options);
}

function walkObject(
  value: Record<string, unknown>,
  schema: JsonSchemaObject,
  at: PathSegment[],
  issues: SchemaIssueDetail[],
  depth: number,
  options: SchemaWalkOptions,
): void {
  const properties = objectProperties(schema) ?? {};
  const required = Array.isArray(schema.required)
    ? schema.required.filter((key): key is string => typeof key === 'string')
    : [];
  const emptyIsMissing = (key: string) =>
    options.emptyStringIsMissing === true && value[key] === '' && required.includes(key);
  for (const key of required) {
    if (value[key] === undefined || emptyIsMissing(key)) {
      issues.push({ kind: 'required', key, schema: properties[key], at, value });
    }
  }
  // Schema order, then any extra keys: issues then read top to bottom like the schema.
  const keys = [
    ...Object.keys(properties).filter((key) => Object.hasOwn(value, key)),
    ...Object.keys(value).filter((key) => !Object.hasOwn(properties, key)),
  ];
  for (const key of keys) {
    const child = value[key];
    if (child === undefined || emptyIsMissing(key)) continue;
    if (Object.hasOwn(properties, key)) {
      walk(child, properties[key], [...at, key], issues, depth + 1, options);
    } else if (schema.additionalProperties === false) {
      issues.push({ kind: 'additional', key, allowed: Object.keys(properties), at, value });
    } else if (schema.additionalProperties !== undefined) {
      walk(child, schema.additionalProperties, [...at, key], issues, depth + 1, options);
    }
  }
}

function walkUnion(
  value: unknown,
  schema: JsonSchemaObject,
  branches: JsonSchemaObject[],
  at: PathSegment[],
  issues: SchemaIssueDetail[],
  depth: number,
  options: SchemaWalkOptions,
): void {
  if (branches.every((b) => b.const !== undefined && !objectProperties(b))) {
    const allowed = branches.map((b) => b.const);
    if (!allowed.some((option) => jsonEqual(option, value))) {
      issues.push({ kind: 'choice', options: allowed, at, value });
    }
    return;
  }
  const discriminator = findDiscriminator(branches);
  if (discriminator) {
    const tags = branches.map((b) => constOf(asSchemaObject(objectProperties(b)?.[discriminator])));
    const index = isPlainObject(value)
      ? tags.findIndex((tag) => jsonEqual(tag, value[discriminator]))
      : -1;
    if (index < 0) issues.push({ kind: 'choice', options: tags, discriminator, at, value });
    else walk(value, branches[index], at, issues, depth + 1, options);
    return;
  }
  // Untagged: valid when some branch (oneOf: exactly one) accepts the value.
  const matching = branches.filter((branch) => {
    const sub: SchemaIssueDetail[] = [];
    walk(value, branch, at, sub, depth + 1, options);
    return sub.length === 0;
  }).length;
  if (matching === 0) issues.push({ kind: 'no-branch', at, value });
  else if (Array.isArray(schema.oneOf) && matching > 1) {
    issues.push({ kind: 'many-branches', at, value });
  }
}

/** `false` spelled out as a schema: `not: {}`. */
function isNothing(not: unknown): boolean {
  return isPlainObject(not) && Object.keys(not).length === 0;
}

/** A pattern this engine cannot compile is the schema's problem, not the value's: skipped. */
function compilePattern(source: string): RegExp | null {
  try {
    return new RegExp(source, 'u');
  } catch {
    return null;
  }
}

/** A schema read as an object: `false` becomes `{not: {}}`, `true` and junk `{}`. */
export function asSchemaObject(schema: JsonSchema | undefined): JsonSchemaObject {
  if (schema === false) return { not: {} };
  return isPlainObject(schema) ? (schema as JsonSchemaObject) : {};
}

/** `oneOf` or `anyOf` branches (booleans read as schemas); null when there is no union. */
export function unionBranches(schema: JsonSchemaObject): JsonSchemaObject[] | null {
  const list = schema.oneOf ?? schema.anyOf;
  return Array.isArray(list) && list.length > 0 ? list.map(asSchemaObject) : null;
}

export function objectProperties(schema: JsonSchemaObject): Record<string, JsonSchema> | null {
  return isPlainObject(schema.properties)
    ? (schema.properties as Record<string, JsonSchema>)
    : null;
}

/** `const`, or the value of a one-item `enum`. */
export function constOf(schema: JsonSchemaObject): unknown {
  if (schema.const !== undefined) return schema.const;
  if (Array.isArray(schema.enum) && schema.enum.length === 1) return schema.enum[0];
  return undefined;
}

/**
 * A property every branch pins to a different constant (`type: {const: 'edit'}`), which
 * tells the branches apart; `null` when there is none. The first such property wins.
 */
export function findDiscriminator(branches: JsonSchemaObject[]): string | null {
  const first = branches[0] ? objectProperties(branches[0]) : null;
  if (!first) return null;
  for (const key of Object.keys(first)) {
    const seen = new Set<string>();
    const tellsApart = branches.every((branch) => {
      const property = objectProperties(branch)?.[key];
      const tag = property === undefined ? undefined : constOf(asSchemaObject(property));
      if (tag === undefined) return false;
      const id = JSON.stringify(tag);
      if (seen.has(id)) return false;
      seen.add(id);
      return true;
    });
    if (tellsApart) return key;
  }
  return null;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Whether `value` is of the JSON-schema `type` (finite numbers only; unknown type names pass). */
export function hasJsonType(value: unknown, type: JsonSchemaType): boolean {
  switch (type) {
    case 'object':
      return isPlainObject(value);
    case 'array':
      return Array.isArray(value);
    case 'string':
      return typeof value === 'string';
    case 'number':
      return typeof value === 'number' && Number.isFinite(value);
    case 'integer':
      return typeof value === 'number' && Number.isInteger(value);
    case 'boolean':
      return typeof value === 'boolean';
    case 'null':
      return value === null;
    default:
      return true; // An unknown type name is not ours to reject.
  }
}

function article(type: string): string {
  if (type === 'null') return 'null';
  return /^[aeiou]/.test(type) ? `an ${type}` : `a ${type}`;
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  if (typeof value === 'number' && Number.isInteger(value)) return `the number ${value}`;
  return `${typeof value} ${preview(value)}`;
}

function preview(value: unknown): string {
  let text: string;
  try {
    text = JSON.stringify(value) ?? String(value);
  } catch {
    text = String(value);
  }
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

/** Structural equality of JSON values (object key order does not matter). */
export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== typeof b || a === null || b === null || typeof a !== 'object') return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) {
    const other = b as unknown[];
    return a.length === other.length && a.every((x, i) => jsonEqual(x, other[i]));
  }
  const ka = Object.keys(a as object);
  const kb = Object.keys(b as object);
  return (
    ka.length === kb.length &&
    ka.every(
      (k) =>
        Object.hasOwn(b as object, k) &&
        jsonEqual((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]),
    )
  );
}
