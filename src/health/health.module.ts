import { Module } from '@nestjs/common';

/** Placeholder: Liveness and readiness endpoints (issue 8). */
@Module({})
export class HealthModule {}
