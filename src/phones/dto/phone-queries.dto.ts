import { IsDefined, IsOptional } from 'class-validator';
import { UserRefQueryDto } from '../../common/dto/user-ref.dto';
import { IsMacGlob } from '../../common/validators/search.validators';
import { IsLimit, IsMac } from '../../common/validators/value.validators';

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
