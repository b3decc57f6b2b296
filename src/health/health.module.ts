import { Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { StatementTimeouts } from '../database/statement-timeouts';
import { HealthController } from './health.controller';

/**
 * Liveness and readiness probes: GET /health/live and /health/ready (see HealthController).
 * StatementTimeouts belongs with the database; it is registered here because the health
 * module is where the reliability work lives (moving it to DatabaseModule changes nothing).
 */
@Module({
  imports: [TerminusModule.forRoot({ errorLogStyle: 'pretty' })],
  controllers: [HealthController],
  providers: [StatementTimeouts],
})
export class HealthModule {}
