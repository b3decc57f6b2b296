import { Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { AuthModule } from '../auth/auth.module';
import { HealthController } from './health.controller';

/** Liveness and readiness probes: GET /health/live and /health/ready (see HealthController). */
@Module({
  imports: [TerminusModule.forRoot({ errorLogStyle: 'pretty' }), AuthModule],
  controllers: [HealthController],
})
export class HealthModule {}
