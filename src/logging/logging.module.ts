import { Module } from '@nestjs/common';

/** Placeholder: Structured request logs (issue 9). */
@Module({})
export class LoggingModule {}
