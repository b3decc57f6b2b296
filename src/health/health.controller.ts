import { Controller, Get, Query, Res, ServiceUnavailableException } from '@nestjs/common';
import { ApiExtraModels, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import {
  HealthCheckResult,
  HealthCheckService,
  HealthIndicatorResult,
  HealthIndicatorService,
  TypeOrmHealthIndicator,
} from '@nestjs/terminus';
import { SkipThrottle } from '@nestjs/throttler';
import type { FastifyReply } from 'fastify';
import { Public } from '../auth/public.decorator';
import { RateLimiter } from '../auth/rate-limiter';
import { DatabaseStartup } from '../database/database-startup';
import { SqlDialect } from '../database/sql-dialect';
import { InvalidEnvelopeDto } from '../common/dto/envelope.dto';
import { HealthCheckStateDto, HealthDownDto, HealthOkDto, HealthQueryDto } from './health.dto';

/** How long readiness waits for `SELECT 1` before it calls the database down. */
export const READINESS_PING_TIMEOUT_MS = 2000;

const DBFAIL = 'the database is unreachable or failed; try again later';

/**
 * Probes for load balancers and orchestrators: no API key, no rate limit. Answered in
 * kamprov's envelope with @nestjs/terminus's result under `health`. Readiness is 503 when
 * the database is down even with LEGACY_HTTP_200, since probes read the status only.
 * Readiness also shows where the rate limiter counts (`rateLimiter`: store, degraded,
 * detail); a degraded limiter (Redis unreachable, counting per process) is reported but
 * never makes the instance unready.
 */
@ApiTags('health')
@ApiExtraModels(HealthCheckStateDto)
@Controller('health')
@Public()
@SkipThrottle()
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly indicators: HealthIndicatorService,
    private readonly db: TypeOrmHealthIndicator,
    private readonly startup: DatabaseStartup,
    private readonly limiter: RateLimiter,
    private readonly dialect: SqlDialect,
  ) {}

  @Get('live')
  @ApiOperation({
    operationId: 'healthLive',
    summary: 'Liveness: ok while the process runs and serves HTTP (the database is not consulted)',
    security: [],
  })
  @ApiResponse({ status: 200, description: 'ok', type: HealthOkDto })
  @ApiResponse({ status: 400, description: 'invalid: a parameter was given', type: InvalidEnvelopeDto })
  async live(@Query() _query: HealthQueryDto): Promise<HealthOkDto> {
    const result = await this.health.check([() => this.indicators.check('process').up({ uptime: Math.round(process.uptime()) })]);
    return { response: 'ok', health: result as HealthOkDto['health'] };
  }

  /** `SELECT 1` within the bound, then whatever else the dialect asks (a Galera node in the primary component). */
  private async databaseCheck(): Promise<HealthIndicatorResult> {
    const ping = await this.db.pingCheck('database', { timeout: READINESS_PING_TIMEOUT_MS });
    if (ping.database?.status !== 'up') return ping;
    let timer: NodeJS.Timeout | undefined;
    const problem = await Promise.race([
      this.dialect.unavailability().catch(() => 'the database failed'),
      new Promise<string>(
        (resolve) => (timer = setTimeout(() => resolve(`timeout of ${READINESS_PING_TIMEOUT_MS}ms exceeded`), READINESS_PING_TIMEOUT_MS)),
      ),
    ]).finally(() => clearTimeout(timer));
    return problem ? this.indicators.check('database').down({ message: problem }) : ping;
  }

  @Get('ready')
  @ApiOperation({
    operationId: 'healthReady',
    summary:
      'Readiness: ok when the database answers SELECT 1 within 2 s (and, on Galera, the node is in the primary component), else error/dbfail (503)',
    description:
      'The detail also shows the rate limiter under `rateLimiter`: `store` (`off`, `memory`, `redis`, or `memory-fallback` ' +
      'while the configured Redis is unreachable and each instance counts for itself), `degraded` and `detail`. ' +
      'It is always up: a degraded limiter never makes the instance unready.',
    security: [],
  })
  @ApiResponse({ status: 200, description: 'ok', type: HealthOkDto })
  @ApiResponse({ status: 400, description: 'invalid: a parameter was given', type: InvalidEnvelopeDto })
  @ApiResponse({ status: 503, description: 'error: dbfail (the database is down)', type: HealthDownDto })
  async ready(@Query() _query: HealthQueryDto, @Res({ passthrough: true }) reply: FastifyReply): Promise<HealthOkDto | HealthDownDto> {
    try {
      const result = await this.health.check([
        () =>
          this.startup.ready
            ? this.databaseCheck()
            : // Not connected or migrated yet (started without its database): kamprov keeps trying.
              this.indicators.check('database').down({ message: this.startup.status }),
        () => this.indicators.check('rateLimiter').up({ ...this.limiter.status() }),
      ]);
      return { response: 'ok', health: result as HealthOkDto['health'] };
    } catch (err) {
      if (!(err instanceof ServiceUnavailableException)) throw err;
      void reply.status(503);
      return {
        response: 'error',
        cause: 'dbfail',
        detail: DBFAIL,
        health: err.getResponse() as HealthCheckResult as HealthDownDto['health'],
      };
    }
  }
}
