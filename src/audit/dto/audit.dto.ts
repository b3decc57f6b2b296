import { ApiProperty } from '@nestjs/swagger';
import { IsOptional } from 'class-validator';
import { OkResponseDto } from '../../common/dto/envelope.dto';
import { IsLimit, IsPlainText } from '../../common/validators/value.validators';

export class ListAuditQueryDto {
  /** Only entries on this target (exact), e.g. `alice@sip.example.com`. */
  @IsOptional()
  @IsPlainText(255, 'alice@sip.example.com')
  target?: string;

  /** Only entries made with this key name. */
  @IsOptional()
  @IsPlainText(64, 'provisioner')
  key?: string;

  /** At most this many entries (default 100), newest first. */
  @IsOptional()
  @IsLimit()
  limit?: number;
}

export class AuditEntryDto {
  @ApiProperty({ example: '2026-11-26T09:00:00.000Z' })
  at: string;

  @ApiProperty({ example: 'user/add_local' })
  node: string;

  @ApiProperty({ example: 'alice@sip.example.com' })
  target: string;

  @ApiProperty({ type: String, nullable: true, example: 'provisioner' })
  key: string | null;

  @ApiProperty({ example: 'failed/exists' })
  outcome: string;

  @ApiProperty({ type: 'integer', example: 409 })
  status: number;
}

export class AuditListOkDto extends OkResponseDto {
  /** Newest first. */
  entries: AuditEntryDto[];
}
