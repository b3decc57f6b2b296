import { Controller, Query, Req } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { domainTarget } from '../audit/targets';
import { AuditedWrite, type WriteAudit } from '../audit/write-audit';
import { ApiNode } from '../common/api-node.decorator';
import { ok } from '../common/envelope';
import { streamedOk } from '../common/list-stream';
import { DomainsService } from './domains.service';
import { DomainQueryDto, ListDomainsQueryDto } from './dto/domain-queries.dto';
import { DomainChangeOkDto, DomainListOkDto } from './dto/domain.dto';

const RELOAD =
  'With KAMAILIO_RPC_URL set, Kamailio is then asked to domain.reload; reloaded says whether it confirmed, and ' +
  'if not, detail says why. The database change stands either way.';

@ApiTags('domain')
@Controller('domain')
export class DomainsController {
  constructor(private readonly domains: DomainsService) {}

  @ApiNode({
    path: 'list',
    operationId: 'domainList',
    role: 'read',
    summary: "Kamailio's local domains",
    ok: DomainListOkDto,
  })
  async list(@Query() q: ListDomainsQueryDto, @Req() request: FastifyRequest) {
    return streamedOk('domains', this.domains.listChunks(q.limit), request);
  }

  @ApiNode({
    path: 'add',
    operationId: 'domainAdd',
    role: 'admin',
    audit: domainTarget,
    summary: "Make a domain local: a row in Kamailio's domain table",
    description: RELOAD,
    ok: DomainChangeOkDto,
    failures: ['exists'],
  })
  async add(@Query() q: DomainQueryDto, @AuditedWrite() audit: WriteAudit) {
    return ok(await this.domains.add(q.domain, audit));
  }

  @ApiNode({
    path: 'remove',
    operationId: 'domainRemove',
    role: 'admin',
    audit: domainTarget,
    summary: 'Remove a local domain',
    description: `Refused (inuse) while users, subscribers or aliases live in the domain. ${RELOAD}`,
    ok: DomainChangeOkDto,
    failures: ['nonexistant', 'inuse'],
  })
  async remove(@Query() q: DomainQueryDto, @AuditedWrite() audit: WriteAudit) {
    return ok(await this.domains.remove(q.domain, audit));
  }
}
