/**
 * A small JSON-schema validator for tool arguments: the subset that function-calling specs
 * actually use. Unknown keywords are ignored (so a richer schema still validates what we
 * understand, and never rejects on what we do not).
 *
 * Supported: `type` (object, string, number, integer, boolean, array, null, or a list of
 * them), `properties`, `required`, `additionalProperties` (false or a schema), `enum`,
 * `const`, `items`, `minItems`/`maxItems`, `minLength`/`maxLength`, `minimum`/`maximum`,
 * `exclusiveMinimum`/`exclusiveMaximum` (numeric form), `anyOf`, and boolean schemas.
 *
 * Issues read as sentences with a JSON path ("arguments.city: expected a string, got
 * 42"), because they go back to the model as an observation.
 */

export type JsonSchemaType =
  'object' | 'string' | 'number' | 'integer' | 'boolean' | 'array' | 'null';

export interface JsonSchemaObject {
  type?: JsonSchemaType | JsonSchemaType[];
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
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  anyOf?: JsonSchema[];
  [keyword: string]: unknown;
}

export type JsonSchema = JsonSchemaObject | boolean;

export interface SchemaIssue {
  /** Dotted path from the root, e.g. `arguments.items[2].name`. */
  path: string;
  message: string;
}

/** Why a value fails `schema`; an empty list means it is valid. Never throws. */
export function validateJsonSchema(
  value: unknown,
  schema: JsonSchema,
  rootPath = '$',
): SchemaIssue[] {
  const issues: SchemaIssue[] = [];
  check(value, schema, rootPath, issues, 0);
  return issues;
}

/** Deeper than any sensible arguments object; guards against self-referencing schemas. */
const MAX_DEPTH = 64;

function check(
  value: unknown,
  schema: JsonSchema,
  path: string,
  issues: SchemaIssue[],
  depth: number,
): void {
  if (schema === true || schema === undefined || schema === null) return;
  if (schema === false) {
    issues.push({ path, message: 'no value is allowed here' });
    return;
  }
  if (typeof schema !== 'object' || depth > MAX_DEPTH) return;

  if (schema.type !== undefined) {
    const types = Array.isArray(schema.type) ? schema.type : [schema.type];
    if (!types.some((t) => hasJsonType(value, t))) {
      issues.push({
        path,
        message: `expected ${types.map(article).join(' or ')}, got ${describe(value)}`,
      });
      return; // Further keywords would only repeat the same mistake.
    }
  }

  if (schema.const !== undefined && !jsonEqual(value, schema.const)) {
    issues.push({ path, message: `must be ${preview(schema.const)}, got ${preview(value)}` });
  }
  if (Array.isArray(schema.enum) && !schema.enum.some((e) => jsonEqual(value, e))) {
    issues.push({
      path,
      message: `must be one of ${schema.enum.map(preview).join(', ')}, got ${preview(value)}`,
    });
  }

  if (Array.isArray(schema.anyOf) && schema.anyOf.length > 0) {
    const matches = schema.anyOf.some((s) => {
      const sub: SchemaIssue[] = [];
      check(value, s, path, sub, depth + 1);
      return sub.length === 0;
    });
    if (!matches) issues.push({ path, message: 'does not match any of the allowed shapes' });
  }

  if (typeof value === 'number') {
    if (typeof schema.minimum === 'number' && value < schema.minimum) {
      issues.push({ path, message: `must be at least ${schema.minimum}, got ${value}` });
    }
    if (typeof schema.maximum === 'number' && value > schema.maximum) {
      issues.push({ path, message: `must be at most ${schema.maximum}, got ${value}` });
    }
    if (typeof schema.exclusiveMinimum === 'number' && value <= schema.exclusiveMinimum) {
      issues.push({
        path,
        message: `must be greater than ${schema.exclusiveMinimum}, got ${value}`,
      });
    }
    if (typeof schema.exclusiveMaximum === 'number' && value >= schema.exclusiveMaximum) {
      issues.push({ path, message: `must be less than ${schema.exclusiveMaximum}, got ${value}` });
    }
  }

  if (typeof value === 'string') {
    // Count code points, as JSON schema does, not UTF-16 units.
    const length = [...value].length;
    if (typeof schema.minLength === 'number' && length < schema.minLength) {
      issues.push({ path, message: `must have at least ${schema.minLength} characters` });
    }
    if (typeof schema.maxLength === 'number' && length > schema.maxLength) {
      issues.push({ path, message: `must have at most ${schema.maxLength} characters` });
    }
  }

  if (Array.isArray(value)) {
    if (typeof schema.minItems === 'number' && value.length < schema.minItems) {
      issues.push({ path, message: `must have at least ${schema.minItems} items` });
    }
    if (typeof schema.maxItems === 'number' && value.length > schema.maxItems) {
      issues.push({ path, message: `must have at most ${schema.maxItems} items` });
    }
    if (schema.items !== undefined) {
      value.forEach((item, i) =>
        check(item, schema.items as JsonSchema, `${path}[${i}]`, issues, depth + 1),
      );
    }
  }

  if (isPlainObject(value)) {
    const properties = isPlainObject(schema.properties)
      ? (schema.properties as Record<string, JsonSchema>)
      : {};
    if (Array.isArray(schema.required)) {
      for (const key of schema.required) {
        if (typeof key === 'string' && !Object.hasOwn(value, key)) {
          issues.push({ path, message: `is missing the required property "${key}"` });
        }
      }
    }
    for (const [key, child] of Object.entries(value)) {
      const childPath = `${path}.${key}`;
      if (Object.hasOwn(properties, key)) {
        check(child, properties[key], childPath, issues, depth + 1);
      } else if (schema.additionalProperties === false) {
        const allowed = Object.keys(properties);
        issues.push({
          path,
          message:
            `has an unexpected property "${key}"` +
            (allowed.length ? ` (allowed: ${allowed.join(', ')})` : ' (no properties are allowed)'),
        });
      } else if (
        schema.additionalProperties !== undefined &&
        schema.additionalProperties !== true
      ) {
        check(child, schema.additionalProperties, childPath, issues, depth + 1);
      }
    }
  }
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
