import { ApiProperty } from '@nestjs/swagger';
import { OkResponseDto } from '../../common/dto/envelope.dto';

/** The full user object; every key is always present (null where unset). */
export class UserDto {
  /** The address, `username@domain`. */
  @ApiProperty({ example: 'alice@sip.example.com' })
  user: string;

  @ApiProperty({ example: 'alice' })
  username: string;

  @ApiProperty({ example: 'sip.example.com' })
  domain: string;

  @ApiProperty({ enum: ['local', 'remote'], example: 'local' })
  type: 'local' | 'remote';

  @ApiProperty({ type: String, nullable: true, example: 'Alice Liddell' })
  displayname: string | null;

  @ApiProperty({ type: String, nullable: true, example: 'alice@example.com' })
  email: string | null;

  /** The SIP password (local: Kamailio's subscriber password; remote: the registrar's). */
  @ApiProperty({ type: String, nullable: true, example: 'q7RfGzKp3mWx9TbN' })
  password: string | null;

  @ApiProperty({ type: String, nullable: true, example: null })
  registrar: string | null;

  @ApiProperty({ type: 'integer', nullable: true, example: null })
  r_port: number | null;

  @ApiProperty({ type: String, nullable: true, example: null })
  proxy: string | null;

  @ApiProperty({ type: 'integer', nullable: true, example: null })
  p_port: number | null;

  @ApiProperty({ type: String, nullable: true, example: null })
  authid: string | null;

  @ApiProperty({ type: String, nullable: true, example: '(.*)' })
  dialplan: string | null;

  @ApiProperty({ type: String, nullable: true, example: 'Alice' })
  linetext: string | null;
}

export class UserOkDto extends OkResponseDto {
  user: UserDto;
}

export class UserListOkDto extends OkResponseDto {
  /** Addresses, `user@domain`, ordered by username then domain. */
  @ApiProperty({ type: [String], example: ['alice@sip.example.com', 'bob@sip.example.com'] })
  users: string[];
}

export class PasswordOkDto extends OkResponseDto {
  /** A fresh password of the form user/add_local uses (null for a `read` key). */
  @ApiProperty({ type: String, nullable: true, example: 'q7RfGzKp3mWx9TbN' })
  password: string;
}

export class EmptyOkDto extends OkResponseDto {}
