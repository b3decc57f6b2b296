import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsDefined, IsOptional, ValidateBy } from 'class-validator';
import { OkResponseDto } from '../../common/dto/envelope.dto';
import { IsMac, IsPlainText } from '../../common/validators/value.validators';
import { VENDORS } from '../../provisioning/vendors';
import { PhoneUserQueryDto } from './phone-queries.dto';
import { PhoneUserOkDto } from './phone.dto';

const LINE_RE = /^[1-9][0-9]?$/;

/** phone/add: the seed's form plus an optional line (1-based; default the lowest free line). */
export class PhoneAddQueryDto extends PhoneUserQueryDto {
  /** The line (1 to 99) the user takes on the phone; default: the lowest free line. A taken line is failed/exists. */
  @IsOptional()
  @Transform(({ value }: { value: unknown }) => (typeof value === 'string' && LINE_RE.test(value) ? Number(value) : value))
  @ValidateBy({
    name: 'isLine',
    validator: {
      validate: (v) => typeof v === 'number' && Number.isInteger(v) && v >= 1 && v <= 99,
      defaultMessage: () => 'line must be an integer from 1 to 99',
    },
  })
  @ApiPropertyOptional({ type: 'integer', minimum: 1, maximum: 99, example: 1 })
  line?: number;
}

/** phone/secret: the phone. */
export class PhoneMacQueryDto {
  /** The phone's MAC: 12 hex digits, plain or separated by `:` or `-`, any case. */
  @IsDefined({ message: 'mac is required' })
  @IsMac()
  mac: string;
}

/** phone/set: the device record. */
export class PhoneSetQueryDto extends PhoneMacQueryDto {
  /** The phone's vendor, which decides the format of its files. */
  @IsDefined({ message: 'vendor is required' })
  @Transform(({ value }: { value: unknown }) => (typeof value === 'string' ? value.toLowerCase() : value))
  @ValidateBy({
    name: 'isVendor',
    validator: {
      validate: (v) => typeof v === 'string' && (VENDORS as readonly string[]).includes(v),
      defaultMessage: () => `vendor must be one of ${VENDORS.join(', ')}`,
    },
  })
  @ApiProperty({ enum: VENDORS, example: 'yealink' })
  vendor: string;

  /** The model, free text (used where a vendor's file names or keys depend on it); unchanged when omitted. */
  @IsOptional()
  @IsPlainText(64, 'T46S')
  model?: string;
}

/** phone/config: the phone and the file name it would ask for. */
export class PhoneConfigQueryDto extends PhoneMacQueryDto {
  /** A file name as the phone asks for it below /prov, e.g. `f00ba2ba5c00.cfg` or `f00ba2ba5c00/accounts`. */
  @IsDefined({ message: 'file is required' })
  @IsPlainText(128, 'f00ba2ba5c00.cfg')
  file: string;
}

export class PhoneDeviceOkDto extends OkResponseDto {
  @ApiProperty({ example: 'f00ba2ba5c00' })
  mac: string;

  @ApiProperty({ enum: VENDORS, example: 'yealink' })
  vendor: string;

  @ApiProperty({ type: String, nullable: true, example: 'T46S' })
  model: string | null;
}

/** phone/secret: the credentials, shown this once (kamprov keeps only their hashes). */
export class PhoneSecretOkDto extends OkResponseDto {
  @ApiProperty({ example: 'f00ba2ba5c00' })
  mac: string;

  /** The Digest username for /prov: the MAC, 12 lower-case hex digits. */
  @ApiProperty({ example: 'f00ba2ba5c00' })
  username: string;

  /** The Digest password for /prov (realm `kamprov`). */
  @ApiProperty({ example: 'x7Qm2kPz9vLr4sTb8nWc3hJd' })
  password: string;

  /** The token of `/prov/t/<token>/<file>`, for clients that cannot do Digest. */
  @ApiProperty({ example: 'mH3o9J1m3Q0n8l3rQ5Zb7w2xY4c6e8g0i2k4m6o8q0s' })
  token: string;
}

/** phone/config: what the phone would get for that file. */
export class PhoneConfigOkDto extends OkResponseDto {
  @ApiProperty({ example: 'f00ba2ba5c00' })
  mac: string;

  @ApiProperty({ example: 'f00ba2ba5c00.cfg' })
  file: string;

  @ApiProperty({ example: 'text/plain; charset=utf-8' })
  content_type: string;

  @ApiProperty({ example: '#!version:1.0.0.1\naccount.1.enable = 1\n' })
  content: string;
}

/** phone/remove?mac= without a user: the device record is gone. */
export class PhoneRemovedOkDto extends OkResponseDto {
  @ApiProperty({ example: 'f00ba2ba5c00' })
  mac: string;
}

/** phone/remove: the combination (with a user), or the MAC whose device record went (without). */
export class PhoneRemoveOkDto extends OkResponseDto {
  static readonly oneOf = [PhoneUserOkDto, PhoneRemovedOkDto];

  @ApiProperty({ example: 'f00ba2ba5c00' })
  mac: string;

  /** The user taken off the phone (with a user only). */
  @ApiPropertyOptional({ example: 'alice@sip.example.com' })
  user?: string;
}
