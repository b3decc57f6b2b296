import { TransformationType } from 'class-transformer';
import { getMetadataStorage, ValidationTypes } from 'class-validator';
import { InvalidRequestError } from '../envelope';
import type { QueryRule } from './query-rule';

/** One parameter of a fast-path DTO: its rule, and whether it is required (@IsDefined's message) or optional. */
export interface FastField {
  readonly rule: QueryRule;
  /** Further constraints of the property, in the order class-validator runs them (its metadata's). */
  readonly also?: readonly QueryRule[];
  /** @IsDefined({ message }) on the property; absent: @IsOptional(). */
  readonly required?: string;
  /** A @ValidateIf that skips the empty value: `''` is kept as given, not validated (user/update's "clear it"). */
  readonly emptyAllowed?: true;
}

// class-transformer's metadata (not in its index): which properties have a @Transform.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { defaultMetadataStorage } = require('class-transformer/cjs/storage') as typeof import('class-transformer/types/storage');

type Dto = new () => object;
/** A DTO's query parameters as the validation pipe would give them, or InvalidRequestError. */
export type FastQuery = (query: Record<string, unknown>) => object;

const fastQueries = new Map<Dto, FastQuery>();

/**
 * The hottest nodes' query DTOs (user/get, phone/get, numbers/inpool, user/add_local) skip
 * class-transformer and class-validator: the same rules (query-rule.ts) run here directly,
 * in the order class-validator runs them, and give the same DTO or the same first error
 * (cause and detail) as the validation pipe with validation.ts's options (whitelist,
 * forbidNonWhitelisted, stopAtFirstError) and toInvalidRequest: first the first parameter
 * the DTO does not know (in the query's key order), then each property in class-validator's
 * order (the class's own, then inherited ones), its @IsDefined before its constraints, and
 * of those the first that fails. fast-query.spec.ts compares both on thousands of inputs.
 *
 * `fields` must describe the DTO's decorators exactly: the property names, @IsOptional or
 * @IsDefined (with its message), a @ValidateIf that skips '' (emptyAllowed), the constraints
 * in their order (each one's name and message, and its verdict on a set of probe values) and
 * whether it has a @Transform. That is checked here against class-validator's and
 * class-transformer's metadata, and registering a DTO whose decorators differ throws (at
 * start-up: the DTO modules are loaded then).
 */
export function registerFastQuery(dto: Dto, fields: Record<string, FastField>): void {
  const order = validationOrder(dto);
  const problem = mismatch(dto, order, fields);
  if (problem) throw new Error(`fast query path for ${dto.name}: ${problem}`);
  fastQueries.set(dto, compile(dto, order, fields));
}

/** The fast path of a DTO class, if it has one. */
export function fastQueryOf(metatype: unknown): FastQuery | undefined {
  return typeof metatype === 'function' ? fastQueries.get(metatype as Dto) : undefined;
}

/** The property names in the order class-validator validates them (its executor's grouping). */
function validationOrder(dto: Dto): string[] {
  const metadatas = getMetadataStorage().getTargetValidationMetadatas(dto, '', false, false, undefined);
  return [...new Set(metadatas.map((m) => m.propertyName))];
}

/** Values every constraint of a fast field is tried on at registration (with the rule's own test). */
const PROBES: unknown[] = [
  '',
  ' ',
  'x',
  'alice',
  'alice@example.com',
  'a b@example.com',
  'a\nb',
  '\u007f',
  ...[63, 64, 65, 127, 128, 129, 254, 255, 256].map((n) => 'a'.repeat(n)),
  `${'a'.repeat(120)}@example.com`,
  ['a', 'b'],
];

/** Why `fields` does not describe the DTO's decorators, or undefined. */
function mismatch(dto: Dto, order: string[], fields: Record<string, FastField>): string | undefined {
  const storage = getMetadataStorage();
  const names = Object.keys(fields);
  if (names.length !== order.length || names.some((n) => !order.includes(n))) {
    return `its properties are ${order.join(', ')}; the fast path names ${names.join(', ')}`;
  }
  const metadatas = storage.getTargetValidationMetadatas(dto, '', false, false, undefined);
  for (const name of order) {
    const field = fields[name];
    const rules = [field.rule, ...(field.also ?? [])];
    const mine = metadatas.filter((m) => m.propertyName === name);
    const defined = mine.filter((m) => m.type === ValidationTypes.IS_DEFINED);
    const conditions = mine.filter((m) => m.type === ValidationTypes.CONDITIONAL_VALIDATION);
    const custom = mine.filter((m) => m.type === ValidationTypes.CUSTOM_VALIDATION);
    const conditionsExpected = (field.required === undefined ? 1 : 0) + (field.emptyAllowed ? 1 : 0);
    if (mine.length !== defined.length + conditions.length + custom.length || custom.length !== rules.length) {
      return rules.length === 1
        ? `${name} must have exactly one constraint and @IsOptional or @IsDefined`
        : `${name} must have exactly ${rules.length} constraints`;
    }
    if (field.required === undefined ? defined.length !== 0 : defined.length !== 1 || defined[0].message !== field.required) {
      return `${name}: @IsOptional/@IsDefined (or its message) differs`;
    }
    // @IsOptional skips only a missing value; the @ValidateIf of emptyAllowed skips '' too.
    const skips = (value: unknown) =>
      conditions.some((m) => !(m.constraints[0] as (o: object, v: unknown) => boolean)({ [name]: value }, value));
    if (conditions.length !== conditionsExpected || skips('x') || skips('') !== (field.emptyAllowed === true)) {
      return `${name}: @IsOptional/@ValidateIf differ`;
    }
    for (const [i, m] of custom.entries()) {
      const constraint = storage.getTargetValidatorConstraints(m.constraintCls)[0];
      const rule = rules[i];
      if (constraint?.name !== rule.name) return `${name}: its constraint is ${constraint?.name}, not ${rule.name}`;
      if (m.message !== undefined && m.message !== rule.message(name)) return `${name}: ${rule.name}'s message differs`;
      const instance = constraint.instance as { validate(value: unknown, args: object): unknown };
      const differs = PROBES.find((value) => {
        const args = { value, constraints: m.constraints, targetName: dto.name, object: {}, property: name };
        return (instance.validate(value, args) === true) !== rule.validate(value);
      });
      if (differs !== undefined) return `${name}: ${rule.name} judges ${JSON.stringify(differs)} otherwise`;
    }
    const transforms = defaultMetadataStorage.findTransformMetadatas(dto, name, TransformationType.PLAIN_TO_CLASS);
    if (transforms.length !== (field.rule.transform ? 1 : 0) || rules.slice(1).some((r) => r.transform))
      return `${name}: @Transform differs`;
  }
  return undefined;
}

function compile(dto: Dto, order: string[], fields: Record<string, FastField>): FastQuery {
  const known = new Set(order);
  const ordered = order.map((name) => ({ name, ...fields[name], rules: [fields[name].rule, ...(fields[name].also ?? [])] }));
  return (query) => {
    // forbidNonWhitelisted: an unknown parameter is reported before any property.
    for (const key of Object.keys(query)) {
      if (!known.has(key)) {
        throw new InvalidRequestError(key, Array.isArray(query[key]) ? `${key} is given more than once` : `unknown parameter ${key}`);
      }
    }
    const out = new dto() as Record<string, unknown>;
    for (const { name, rule, rules, required, emptyAllowed } of ordered) {
      const raw = query[name];
      if (raw === undefined) {
        if (required !== undefined) throw new InvalidRequestError(name, required);
        continue;
      }
      const value = rule.transform ? rule.transform(raw) : raw;
      if (!(emptyAllowed && value === '')) {
        // stopAtFirstError: the first constraint that fails is the one reported.
        const failed = rules.find((r) => !r.validate(value));
        if (failed) {
          throw new InvalidRequestError(name, Array.isArray(value) ? `${name} is given more than once` : failed.message(name));
        }
      }
      out[name] = value;
    }
    return out;
  };
}
