// Request bodies are checked against small schemas: one reader per field, every failing field
// reported at once in one 400 (`fields` maps each key to a stable reason the pages translate),
// and a typed result, so routes never cast what a client sent.
import { nameProblem, normaliseName } from '../contract/names.js';
import { badRequest } from '../errors.js';

/** Reasons by field name, as the 400 reports them. */
export type FieldProblems = Record<string, string>;

/** Reads one field's raw value: returns it typed, or records why it is not acceptable. */
export type FieldReader<T> = (value: unknown, problems: FieldProblems, key: string) => T;

type OptionalReader<T> = FieldReader<T> & { readonly optional: true };
type Shape = Record<string, FieldReader<unknown>>;
type Read<R> = R extends FieldReader<infer T> ? T : never;
type OptionalKeys<S extends Shape> = { [K in keyof S]: S[K] extends OptionalReader<unknown> ? K : never }[keyof S];

/** What a schema returns: required fields always present, optional ones only when sent. */
export type Parsed<S extends Shape> = { readonly [K in Exclude<keyof S, OptionalKeys<S>>]: Read<S[K]> } & {
  readonly [K in OptionalKeys<S>]?: Read<S[K]>;
};

export type SchemaOptions<S extends Shape> = Readonly<{
  /** The 400's code when a field fails (the pages key their messages on it). */
  code?: string;
  message?: string;
  /** Keys the schema does not know are refused (`not_allowed`) rather than ignored. */
  closed?: boolean;
  /** Rules across fields, run once every field has been read. */
  check?: (input: Parsed<S>, problems: FieldProblems) => void;
}>;

/** A field that may be left out; `null` counts as sent. */
export function optional<T>(reader: FieldReader<T>): OptionalReader<T> {
  return Object.assign((value: unknown, problems: FieldProblems, key: string) => reader(value, problems, key), { optional: true as const });
}

/** A JSON body that must be an object, read field by field; throws one 400 naming every problem. */
export function schema<S extends Shape>(shape: S, options: SchemaOptions<S> = {}): (body: unknown) => Parsed<S> {
  return (body) => {
    if (typeof body !== 'object' || body === null || Array.isArray(body)) throw badRequest('invalid_body', 'Send a JSON object.');
    const input = body as Readonly<Record<string, unknown>>;
    const problems: FieldProblems = {};
    const parsed: Record<string, unknown> = {};
    for (const [key, reader] of Object.entries(shape)) {
      const value = input[key];
      if (value === undefined && 'optional' in reader) continue;
      parsed[key] = reader(value, problems, key);
    }
    if (options.closed === true) {
      for (const key of Object.keys(input)) if (!Object.hasOwn(shape, key)) problems[key] = 'not_allowed';
    }
    if (Object.keys(problems).length === 0) options.check?.(parsed as Parsed<S>, problems);
    if (Object.keys(problems).length > 0) throw badRequest(options.code ?? 'invalid_fields', options.message ?? 'Some fields are invalid.', problems);
    return parsed as Parsed<S>;
  };
}

/** true or false. */
export const booleanField: FieldReader<boolean> = (value, problems, key) => {
  if (typeof value !== 'boolean') problems[key] = 'must_be_boolean';
  return value === true;
};

/** Exactly `true`: a box the person must tick (`must_accept`). */
export const acceptedField: FieldReader<true> = (value, problems, key) => {
  if (value !== true) problems[key] = 'must_accept';
  return true;
};

/** A non-empty string of at most `maxCodePoints`, taken as sent (passwords, tokens). */
export function secretField(maxCodePoints: number): FieldReader<string> {
  return (value, problems, key) => {
    if (typeof value !== 'string' || value === '') problems[key] = 'required';
    else if ([...value].length > maxCodePoints) problems[key] = 'too_long';
    return typeof value === 'string' ? value : '';
  };
}

/** A person's name under the shared name rule (normalised; the problem is the rule's reason). */
export function nameField(maxCodePoints: number): FieldReader<string> {
  return (value, problems, key) => {
    const name = typeof value === 'string' ? normaliseName(value) : '';
    const problem = nameProblem(name, maxCodePoints);
    if (problem !== null) problems[key] = problem;
    return name;
  };
}

/** A whole number from `min` to `max` (`must_be_integer`, `out_of_range`). */
export function integerField(min: number, max: number): FieldReader<number> {
  return (value, problems, key) => {
    if (typeof value !== 'number' || !Number.isInteger(value)) problems[key] = 'must_be_integer';
    else if (value < min || value > max) problems[key] = 'out_of_range';
    return typeof value === 'number' ? value : min;
  };
}

/** One of a fixed list of words (`invalid` otherwise). */
export function oneOfField<T extends string>(choices: readonly T[]): FieldReader<T> {
  return (value, problems, key) => {
    if (typeof value === 'string' && (choices as readonly string[]).includes(value)) return value as T;
    problems[key] = 'invalid';
    return choices[0] as T;
  };
}
