import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { OkResponseDto } from '../../common/dto/envelope.dto';

/** phone/get?mac=: the phone and the users it carries. */
export class PhoneByMacOkDto extends OkResponseDto {
  /** The MAC asked for, 12 lower-case hex digits. */
  @ApiProperty({ example: 'f00ba2ba5c00' })
  mac: string;

  /** The phone's vendor; only when it has a device record (phone/set). */
  @ApiPropertyOptional({ example: 'yealink' })
  vendor?: string;

  /** The phone's model, null when unset; only when it has a device record (phone/set). */
  @ApiPropertyOptional({ type: String, nullable: true, example: 'T46S' })
  model?: string | null;

  /** The users the phone carries, `user@domain`, in line order. */
  @ApiProperty({ type: [String], example: ['alice@sip.example.com'] })
  users: string[];
}

/** phone/get?user=: the user and the phones that carry it. */
export class PhoneByUserOkDto extends OkResponseDto {
  /** The user asked for. */
  @ApiProperty({ example: 'alice@sip.example.com' })
  user: string;

  /** The MACs of the phones that carry the user, ordered; empty when none does. */
  @ApiProperty({ type: [String], example: ['f00ba2ba5c00'] })
  macs: string[];
}

/**
 * phone/get: `mac` + `users` when asked by MAC, `user` + `macs` when asked by user. The
 * OpenAPI document describes it as `oneOf` the two shapes (see ApiNode).
 */
export class PhoneGetOkDto extends OkResponseDto {
  static readonly oneOf = [PhoneByMacOkDto, PhoneByUserOkDto];

  /** The MAC asked for (by MAC only), 12 lower-case hex digits. */
  @ApiPropertyOptional({ example: 'f00ba2ba5c00' })
  mac?: string;

  /** The phone's vendor (by MAC, with a device record only). */
  @ApiPropertyOptional({ example: 'yealink' })
  vendor?: string;

  /** The phone's model, null when unset (by MAC, with a device record only). */
  @ApiPropertyOptional({ type: String, nullable: true, example: 'T46S' })
  model?: string | null;

  /** The users the phone carries, `user@domain`, in line order (by MAC only). */
  @ApiPropertyOptional({ type: [String], example: ['alice@sip.example.com'] })
  users?: string[];

  /** The user asked for (by user only). */
  @ApiPropertyOptional({ example: 'alice@sip.example.com' })
  user?: string;

  /** The MACs of the phones that carry the user, ordered; empty when none does (by user only). */
  @ApiPropertyOptional({ type: [String], example: ['f00ba2ba5c00'] })
  macs?: string[];
}

export class PhoneListOkDto extends OkResponseDto {
  /** Every MAC that carries at least one user (or those matching the search), ordered. */
  @ApiProperty({ type: [String], example: ['f00ba2ba5c00', 'f00ba2ba5c01'] })
  macs: string[];
}

/** phone/add, phone/remove: the combination. */
export class PhoneUserOkDto extends OkResponseDto {
  @ApiProperty({ example: 'f00ba2ba5c00' })
  mac: string;

  @ApiProperty({ example: 'alice@sip.example.com' })
  user: string;

  /** The line the user took (phone/add with `line` only). */
  @ApiPropertyOptional({ type: 'integer', example: 1 })
  line?: number;
}
