import { IsOptional } from 'class-validator';
import { IsAliasAddress, IsQueryText } from '../../common/validators/alias-address.validators';
import { IsBooleanString, IsLimit } from '../../common/validators/value.validators';

/**
 * alias/remove: the alias address in two parts (alias/add adds a destination). A fault in
 * either is `invalid` with cause `alias` (alias/add) or `address` (alias/remove).
 */
export class RemoveAliasQueryDto {
  /** The alias' user part: a name or an E.164 number (`%2B4761123456`). */
  @IsQueryText('sales')
  alias_username: string;

  /** The alias' domain: a local (Kamailio) domain, compared case-insensitively. */
  @IsQueryText('sip.example.com')
  alias_domain: string;
}

export class AddAliasQueryDto extends RemoveAliasQueryDto {
  /** Where the alias leads, `user@domain`: a subscriber if the domain is local, any address otherwise. */
  @IsAliasAddress('alice@sip.example.com')
  destination: string;
}

/** alias/list: by `destination` (optionally only E.164 aliases) or by `alias`; at least one. */
export class ListAliasesQueryDto {
  /** The aliases that lead to this address. */
  @IsOptional()
  @IsAliasAddress('alice@sip.example.com')
  destination?: string;

  /** This alias address (`user@domain`), to see where it leads. */
  @IsOptional()
  @IsAliasAddress('sales@sip.example.com')
  alias?: string;

  /** `true`: only aliases whose user part is an E.164 number. */
  @IsOptional()
  @IsBooleanString()
  e164?: boolean;

  /** At most this many aliases. */
  @IsOptional()
  @IsLimit()
  limit?: number;
}
