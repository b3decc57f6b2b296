import { Global, Module } from '@nestjs/common';
import { EnvelopeRenderer } from './envelope-renderer';

@Global()
@Module({ providers: [EnvelopeRenderer], exports: [EnvelopeRenderer] })
export class CommonModule {}
