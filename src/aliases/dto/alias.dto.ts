import { ApiProperty } from '@nestjs/swagger';
import { OkResponseDto } from '../../common/dto/envelope.dto';

/** An alias and where it leads. */
export class AliasDto {
  /** The alias address, `user@domain`. */
  @ApiProperty({ example: '+4761123456@sip.example.com' })
  alias: string;

  /** The destination address, `user@domain`. */
  @ApiProperty({ example: 'alice@sip.example.com' })
  destination: string;
}

export class AliasOkDto extends OkResponseDto {
  @ApiProperty({ example: 'sales@sip.example.com' })
  alias: string;

  @ApiProperty({ example: 'alice@sip.example.com' })
  destination: string;
}

export class AliasListOkDto extends OkResponseDto {
  /** Ordered by alias. */
  @ApiProperty({ type: [AliasDto] })
  aliases: AliasDto[];
}
