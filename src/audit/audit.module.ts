import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuditController } from './audit.controller';
import { AuditService } from './audit.service';
import { AuditEntryEntity } from './entities/audit-entry.entity';

@Module({ imports: [TypeOrmModule.forFeature([AuditEntryEntity])], controllers: [AuditController], providers: [AuditService], exports: [AuditService] })
export class AuditModule {}
