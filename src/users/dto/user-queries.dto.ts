import { IntersectionType, OmitType, PartialType } from '@nestjs/swagger';
import { IsDefined, IsEmail, IsOptional, MaxLength, ValidateIf } from 'class-validator';
import { UserRefQueryDto } from '../../common/dto/user-ref.dto';
import { IsSipAddress, IsHost, IsSipUsername } from '../../common/validators/sip.validators';
import { IsGlob, IsLimit, IsPlainText, IsPort } from '../../common/validators/value.validators';

const notEmpty = (field: string) => (o: object) => (o as Record<string, unknown>)[field] !== '';

/** user/get: also takes `address=user@domain`. */
export class GetUserQueryDto extends UserRefQueryDto {
  /** The whole address, as an alternative to `user`. */
  @IsOptional()
  @IsSipAddress()
  address?: string;
}

export class ListUsersQueryDto {
  /** Glob over `user@domain` (`*`, `?`); without wildcards it matches anywhere. */
  @IsOptional()
  @IsGlob('alice*')
  search?: string;

  /** At most this many users. */
  @IsOptional()
  @IsLimit()
  limit?: number;
}

/**
 * user/add_local: the user and the fields a phone shows for any user (add_remote and
 * update take them too). Empty values are stored as unset.
 */
export class AddLocalUserQueryDto extends UserRefQueryDto {
  /** Name shown on the phone and in the From header. */
  @IsOptional()
  @IsPlainText(128, 'Alice Liddell')
  displayname?: string;

  /** Contact e-mail address (empty clears it on update). */
  @IsOptional()
  @ValidateIf(notEmpty('email'))
  @IsEmail({}, { message: 'email must be an e-mail address' })
  @MaxLength(128, { message: 'email must be at most 128 characters' })
  email?: string;

  /** Phone dial plan, e.g. `(.*)`. */
  @IsOptional()
  @IsPlainText(255, '(.*)')
  dialplan?: string;

  /** Text shown on the phone's line key. */
  @IsOptional()
  @IsPlainText(64, 'Alice')
  linetext?: string;
}

/** The fields of an account at another registrar. */
export class RemoteAccountFieldsDto {
  /** The account's password at the remote registrar. */
  @IsDefined({ message: 'password is required' })
  @IsPlainText(64, 'S3cr3t')
  password: string;

  /** The remote registrar's host. */
  @IsDefined({ message: 'registrar is required' })
  @IsHost('sip.example.net')
  registrar: string;

  /** The registrar's port. */
  @IsOptional()
  @IsPort()
  r_port?: number;

  /** Outbound proxy host, if the remote service needs one. */
  @IsOptional()
  @IsHost('proxy.example.net')
  proxy?: string;

  /** The proxy's port. */
  @IsOptional()
  @IsPort()
  p_port?: number;

  /** Authentication user name at the registrar, when it differs from username. */
  @IsOptional()
  @IsSipUsername('realalice')
  authid?: string;
}

export class AddRemoteUserQueryDto extends IntersectionType(AddLocalUserQueryDto, RemoteAccountFieldsDto) {}

export class ChangePasswordQueryDto extends UserRefQueryDto {
  /** The new password; omit it to have kamprov generate one (returned in the answer). */
  @IsOptional()
  @ValidateIf(notEmpty('password'))
  @IsPlainText(64, 'n3wS3cr3t')
  password?: string;
}

/** user/update: the profile fields for every user; registrar, ports, proxy and authid for remote users only. */
export class UpdateUserQueryDto extends IntersectionType(
  AddLocalUserQueryDto,
  PartialType(OmitType(RemoteAccountFieldsDto, ['password'] as const)),
) {}

export class NoParamsQueryDto {}
