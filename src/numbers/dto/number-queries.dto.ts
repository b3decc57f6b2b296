import { IsDefined, IsOptional } from 'class-validator';
import { IsNumberGlob } from '../../common/validators/search.validators';
import { registerFastQuery } from '../../common/validators/fast-query';
import { E164_RULE, IsBooleanString, IsE164, IsLimit } from '../../common/validators/value.validators';

export class ListNumbersQueryDto {
  /**
   * Glob over the numbers as answered (`+4761123456`): `*`, `?`; without wildcards it
   * matches anywhere (`1234` = `*1234*`). With wildcards the leading `+` may be left out
   * (`4761*` = `+4761*`).
   */
  @IsOptional()
  @IsNumberGlob()
  search?: string;

  /** `true`: a uniform random selection without repeats, in random order (`limit` numbers, default 1). */
  @IsOptional()
  @IsBooleanString()
  random?: boolean;

  /** At most this many numbers. */
  @IsOptional()
  @IsLimit()
  limit?: number;
}

/** numbers/add, numbers/remove, numbers/inpool. */
export class NumberQueryDto {
  /** An E.164 number; encode the plus as `%2B`. */
  @IsDefined({ message: 'number is required' })
  @IsE164()
  number: string;
}
// numbers/inpool is a hot read (add and remove share the DTO): validated without class-transformer and
// class-validator, with the same outcome.
registerFastQuery(NumberQueryDto, { number: { rule: E164_RULE, required: 'number is required' } });

export class AddRangeQueryDto {
  /** The first number of the range, E.164. */
  @IsDefined({ message: 'start is required' })
  @IsE164('+4761123400')
  start: string;

  /** The last number of the range (included), E.164 with the same country calling code. */
  @IsDefined({ message: 'end is required' })
  @IsE164('+4761123499')
  end: string;
}
