import { ApiProperty } from '@nestjs/swagger';
import { OkResponseDto } from '../../common/dto/envelope.dto';

export class NumberListOkDto extends OkResponseDto {
  /** E.164 numbers, in numeric order (random order with `random=true`). */
  @ApiProperty({ type: [String], example: ['+4761123456', '+4761123457'] })
  numbers: string[];
}

/** numbers/remove, numbers/inpool. */
export class NumberOkDto extends OkResponseDto {
  @ApiProperty({ example: '+4761123456' })
  number: string;
}

export class NumberAddedOkDto extends NumberOkDto {
  @ApiProperty({ example: 'Added +4761123456' })
  detail: string;
}

export class NumberRangeOkDto extends OkResponseDto {
  /** How many numbers were added. */
  @ApiProperty({ type: 'integer', example: 98 })
  added: number;

  /** How many numbers of the range were already in the pool. */
  @ApiProperty({ type: 'integer', example: 2 })
  skipped: number;

  @ApiProperty({ example: '+4761123400' })
  start: string;

  @ApiProperty({ example: '+4761123499' })
  end: string;
}
