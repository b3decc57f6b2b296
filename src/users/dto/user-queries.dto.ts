import { IntersectionType, OmitType, PartialType } from '@nestjs/swagger';
import { IsDefined, IsEmail, isEmail, IsOptional, Matches, MaxLength, maxLength, ValidateIf } from 'class-validator';
import { UserRefQueryDto } from '../../common/dto/user-ref.dto';
import { registerFastQuery } from '../../common/validators/fast-query';
import { IsSipAddress, IsHost, IsSipUsername, SIP_ADDRESS_RULE, USER_REF_FAST_FIELDS } from '../../common/validators/sip.validators';
import type { QueryRule } from '../../common/validators/query-rule';
import { IsGlob, IsLimit, IsPlainText, IsPort, plainTextRule } from '../../common/validators/value.validators';

const notEmpty = (field: string) => (o: object) => (o as Record<string, unknown>)[field] !== '';
/** A password someone must type into a phone: at least one character that is not white space. */
const NotBlank = (field: string) => Matches(/\S/, { message: `${field} must not be empty or blank` });

/** user/get: also takes `address=user@domain`. */
export class GetUserQueryDto extends UserRefQueryDto {
  /** The whole address, as an alternative to `user`. */
  @IsOptional()
  @IsSipAddress()
  address?: string;
}
// The hottest read: validated without class-transformer and class-validator, with the same outcome.
registerFastQuery(GetUserQueryDto, { ...USER_REF_FAST_FIELDS, address: { rule: SIP_ADDRESS_RULE } });

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

const EMAIL_MAX = 128;
/** The e-mail field's two constraints, as class-validator runs them (MaxLength, the lower decorator, first). */
const EMAIL_LENGTH_RULE: QueryRule = {
  name: 'maxLength',
  validate: (v) => maxLength(v, EMAIL_MAX),
  message: () => `email must be at most ${EMAIL_MAX} characters`,
};
const EMAIL_RULE: QueryRule = { name: 'isEmail', validate: (v) => isEmail(v), message: () => 'email must be an e-mail address' };

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
  @IsEmail({}, { message: EMAIL_RULE.message('email') })
  @MaxLength(EMAIL_MAX, { message: EMAIL_LENGTH_RULE.message('email') })
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

// The bulk write (issue 17's 1,000 a second): validated without class-transformer and class-validator, with the same outcome.
registerFastQuery(AddLocalUserQueryDto, {
  displayname: { rule: plainTextRule(128) },
  email: { rule: EMAIL_LENGTH_RULE, also: [EMAIL_RULE], emptyAllowed: true },
  dialplan: { rule: plainTextRule(255) },
  linetext: { rule: plainTextRule(64) },
  ...USER_REF_FAST_FIELDS,
});

/** The fields of an account at another registrar. */
export class RemoteAccountFieldsDto {
  /** The account's password at the remote registrar (not empty or blank). */
  @IsDefined({ message: 'password is required' })
  @IsPlainText(64, 'S3cr3t')
  @NotBlank('password')
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
  /**
   * The new password. For a local user, omit it (or leave it empty) to have kamprov
   * generate one (returned in the answer); a remote user's password is the remote
   * registrar's, so it is required there.
   */
  @IsOptional()
  @ValidateIf(notEmpty('password'))
  @IsPlainText(64, 'n3wS3cr3t')
  @NotBlank('password')
  password?: string;
}

/** user/update's fields of a remote account: an empty value clears one (registrar, which the account needs, excepted). */
export class UpdateRemoteFieldsDto extends PartialType(
  OmitType(RemoteAccountFieldsDto, ['password', 'r_port', 'proxy', 'p_port', 'authid'] as const),
) {
  /** The registrar's port (empty: the default port). */
  @IsOptional()
  @ValidateIf(notEmpty('r_port'))
  @IsPort()
  r_port?: number | '';

  /** Outbound proxy host (empty: none). */
  @IsOptional()
  @ValidateIf(notEmpty('proxy'))
  @IsHost('proxy.example.net')
  proxy?: string;

  /** The proxy's port (empty: the default port). */
  @IsOptional()
  @ValidateIf(notEmpty('p_port'))
  @IsPort()
  p_port?: number | '';

  /** Authentication user name at the registrar (empty: username). */
  @IsOptional()
  @ValidateIf(notEmpty('authid'))
  @IsSipUsername('realalice')
  authid?: string;
}

/** user/update: the profile fields for every user; registrar, ports, proxy and authid for remote users only. */
export class UpdateUserQueryDto extends IntersectionType(AddLocalUserQueryDto, UpdateRemoteFieldsDto) {}

export class NoParamsQueryDto {}
