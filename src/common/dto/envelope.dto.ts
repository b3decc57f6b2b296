import { ApiProperty } from '@nestjs/swagger';
import type { ErrorCause, FailedCause } from '../envelope';

/** Base of every `ok` answer. */
export class OkResponseDto {
  @ApiProperty({ enum: ['ok'], example: 'ok' })
  response: 'ok';
}

/** The request is malformed. */
export class InvalidEnvelopeDto {
  @ApiProperty({ enum: ['invalid'], example: 'invalid' })
  response: 'invalid';

  /** The offending parameter's name, or one of alias, destination, address, range. */
  @ApiProperty({ example: 'username' })
  cause: string;

  /** What is wrong, in words. */
  @ApiProperty({ example: 'username must be a SIP user part: 1 to 64 RFC 3261 user characters' })
  detail: string;
}

/** Well-formed but refused. */
export class FailedEnvelopeDto {
  @ApiProperty({ enum: ['failed'], example: 'failed' })
  response: 'failed';

  @ApiProperty({
    enum: ['nonexistant', 'exists', 'inuse', 'domain', 'nxdomain', 'unauthenticated', 'forbidden', 'toomany'],
    example: 'nonexistant',
  })
  cause: FailedCause;

  @ApiProperty({ example: 'no user alice@sip.example.com' })
  detail: string;
}

/** The service could not do its job. */
export class ErrorEnvelopeDto {
  @ApiProperty({ enum: ['error'], example: 'error' })
  response: 'error';

  @ApiProperty({ enum: ['dbfail', 'timeout', 'internal'], example: 'dbfail' })
  cause: ErrorCause;

  @ApiProperty({ example: 'the database is unreachable or failed; try again later' })
  detail: string;
}
