import { IsOptional } from 'class-validator';
import { IsSipAddress, IsSipDomain, IsSipUsername } from '../validators/sip.validators';

/** A user named by `username` + `domain`, or by `user=username@domain`. */
export class UserRefQueryDto {
  /** The user part of the address; give it with `domain`, or use `user` instead. */
  @IsOptional()
  @IsSipUsername()
  username?: string;

  /** The domain of the address (stored lower-case); give it with `username`. */
  @IsOptional()
  @IsSipDomain()
  domain?: string;

  /** The whole address, `username@domain`, instead of `username` and `domain`. */
  @IsOptional()
  @IsSipAddress()
  user?: string;
}
