import { IsDefined, IsOptional } from 'class-validator';
import { UserRefQueryDto } from '../../common/dto/user-ref.dto';
import { IsMacGlob } from '../../common/validators/search.validators';
import { registerFastQuery } from '../../common/validators/fast-query';
import { USER_REF_FAST_FIELDS } from '../../common/validators/sip.validators';
import { IsLimit, IsMac, LIMIT_RULE, MAC_RULE } from '../../common/validators/value.validators';

/** phone/get: by `mac`, or by the user (`user=` or `username`+`domain`); exactly one of the two. */
export class GetPhoneQueryDto extends UserRefQueryDto {
  /** The phone's MAC: 12 hex digits, plain or separated by `:` or `-`, any case. */
  @IsOptional()
  @IsMac()
  mac?: string;

  /** At most this many users (or MACs). */
  @IsOptional()
  @IsLimit()
  limit?: number;
}
// A hot read: validated without class-transformer and class-validator, with the same outcome.
registerFastQuery(GetPhoneQueryDto, { ...USER_REF_FAST_FIELDS, mac: { rule: MAC_RULE }, limit: { rule: LIMIT_RULE } });

export class ListPhonesQueryDto {
  /** Glob over the MACs (`*`, `?`; without wildcards it matches anywhere); case and `:`/`-` separators do not matter. */
  @IsOptional()
  @IsMacGlob()
  search?: string;

  /** At most this many MACs. */
  @IsOptional()
  @IsLimit()
  limit?: number;
}

/** phone/add and phone/remove: a MAC and a user (`user=` or `username`+`domain`). */
export class PhoneUserQueryDto extends UserRefQueryDto {
  /** The phone's MAC: 12 hex digits, plain or separated by `:` or `-`, any case. */
  @IsDefined({ message: 'mac is required' })
  @IsMac()
  mac: string;
}
