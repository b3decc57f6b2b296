import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { OkResponseDto } from '../../common/dto/envelope.dto';

export class DomainListOkDto extends OkResponseDto {
  /** Kamailio's local domains, ordered by name. */
  @ApiProperty({ type: [String], example: ['sip.example.com', 'voip.example.org'] })
  domains: string[];
}

export class DomainChangeOkDto extends OkResponseDto {
  @ApiProperty({ example: 'sip.example.com' })
  domain: string;

  /** Whether Kamailio confirmed `domain.reload` over JSON-RPC (false without KAMAILIO_RPC_URL). */
  @ApiProperty({ example: true })
  reloaded: boolean;

  /** Why Kamailio did not confirm the reload; the database change stands regardless. */
  @ApiPropertyOptional({ example: 'the change is saved, but Kamailio did not confirm domain.reload: unreachable (ECONNREFUSED)' })
  detail?: string;
}
