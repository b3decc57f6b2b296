import { IsDefined, IsOptional } from 'class-validator';
import { IsSipDomain } from '../../common/validators/sip.validators';
import { IsLimit } from '../../common/validators/value.validators';

export class ListDomainsQueryDto {
  /** At most this many domains. */
  @IsOptional()
  @IsLimit()
  limit?: number;
}

export class DomainQueryDto {
  /** The domain name (stored lower-case, compared case-insensitively). */
  @IsDefined({ message: 'domain is required' })
  @IsSipDomain('sip.example.com')
  domain: string;
}
