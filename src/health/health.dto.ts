import { ApiProperty } from '@nestjs/swagger';

/** Health nodes take no parameters; any given is `invalid`, as on every node. */
export class HealthQueryDto {}

/** One check's state, as @nestjs/terminus reports it. */
export class HealthCheckStateDto {
  @ApiProperty({ enum: ['up', 'down'], example: 'up' })
  status: 'up' | 'down';

  /** `rateLimiter` only: where the counters are kept. */
  @ApiProperty({ enum: ['off', 'memory', 'redis', 'memory-fallback'], required: false, example: 'redis' })
  store?: 'off' | 'memory' | 'redis' | 'memory-fallback';

  /** `rateLimiter` only: true while the configured Redis is unreachable (counted per process meanwhile). */
  @ApiProperty({ required: false, example: false })
  degraded?: boolean;

  /** `rateLimiter` only: the store in words. */
  @ApiProperty({ required: false, example: 'counted in Redis, shared by every instance' })
  detail?: string;

  /** A check that is down: why. */
  @ApiProperty({ required: false, example: 'connect ECONNREFUSED 127.0.0.1:3306' })
  message?: string;
}

/** @nestjs/terminus's own result, carried unchanged inside the envelope. */
export class HealthResultDto {
  @ApiProperty({ enum: ['ok', 'error', 'shutting_down'], example: 'ok' })
  status: 'ok' | 'error' | 'shutting_down';

  /** The checks that are up, by name (`process`, `database`, `rateLimiter`). */
  @ApiProperty({ type: 'object', additionalProperties: { $ref: '#/components/schemas/HealthCheckStateDto' } })
  info?: Record<string, HealthCheckStateDto>;

  /** The checks that are down, by name, each with a `message`. */
  @ApiProperty({ type: 'object', additionalProperties: { $ref: '#/components/schemas/HealthCheckStateDto' } })
  error?: Record<string, HealthCheckStateDto>;

  /** Every check, up or down. */
  @ApiProperty({ type: 'object', additionalProperties: { $ref: '#/components/schemas/HealthCheckStateDto' } })
  details: Record<string, HealthCheckStateDto>;
}

export class HealthOkDto {
  @ApiProperty({ enum: ['ok'], example: 'ok' })
  response: 'ok';

  @ApiProperty({ type: HealthResultDto })
  health: HealthResultDto;
}

export class HealthDownDto {
  @ApiProperty({ enum: ['error'], example: 'error' })
  response: 'error';

  @ApiProperty({ enum: ['dbfail'], example: 'dbfail' })
  cause: 'dbfail';

  @ApiProperty({ example: 'the database is unreachable or failed; try again later' })
  detail: string;

  @ApiProperty({ type: HealthResultDto })
  health: HealthResultDto;
}
