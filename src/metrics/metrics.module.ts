import { Module } from '@nestjs/common';

/** Placeholder: Prometheus metrics at /metrics (issue 9). */
@Module({})
export class MetricsModule {}
