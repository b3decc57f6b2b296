import { Transform } from 'class-transformer';
import { ValidateBy } from 'class-validator';

/**
 * One query parameter's rule: the class-transformer @Transform it gets (if any), the
 * class-validator constraint (its name, test and message). The decorators below are built
 * from it, and so is the fast path for the hottest nodes (fast-query.ts): one definition of
 * what a parameter may be and of what is said when it is not.
 */
export interface QueryRule {
  /** The class-validator constraint's name (`isSipUsername`, ...). */
  readonly name: string;
  /** Applied to the raw query value before validation (class-transformer's @Transform). */
  readonly transform?: (value: unknown) => unknown;
  readonly validate: (value: unknown) => boolean;
  /** The message when `validate` fails, for the parameter `property`. */
  readonly message: (property: string) => string;
}

/** class-transformer's @Transform for the rule (none without a transform). */
export function ruleTransform(rule: QueryRule): PropertyDecorator[] {
  const transform = rule.transform;
  return transform ? [Transform(({ value }: { value: unknown }) => transform(value))] : [];
}

/** class-validator's constraint for the rule. */
export function ruleConstraint(rule: QueryRule): PropertyDecorator {
  return ValidateBy({
    name: rule.name,
    validator: {
      validate: (v) => rule.validate(v),
      defaultMessage: (a) => rule.message(`${a?.property}`),
    },
  });
}
