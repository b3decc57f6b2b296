import { Controller, Query } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { ApiNode } from '../common/api-node.decorator';
import { ok } from '../common/envelope';
import { AuditService } from './audit.service';
import { AuditListOkDto, ListAuditQueryDto } from './dto/audit.dto';

@ApiTags('audit')
@Controller('audit')
export class AuditController {
  constructor(private readonly audit: AuditService) {}

  @ApiNode({
    path: 'list',
    operationId: 'auditList',
    role: 'admin',
    summary: 'The audit trail of writes, newest first (admin)',
    description: 'Every write node call is recorded: node, target, key name, time and outcome, failures too.',
    ok: AuditListOkDto,
  })
  async list(@Query() q: ListAuditQueryDto) {
    return ok({ entries: await this.audit.list(q) });
  }
}
