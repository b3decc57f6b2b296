import { Controller, Query } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { aliasTarget } from '../audit/targets';
import { AuditedWrite, type WriteAudit } from '../audit/write-audit';
import { ApiNode } from '../common/api-node.decorator';
import { ok } from '../common/envelope';
import { resolveAliasFilter, resolveAliasParts, toAddress } from './alias-params';
import { AliasesService } from './aliases.service';
import { AddAliasQueryDto, ListAliasesQueryDto, RemoveAliasQueryDto } from './dto/alias-queries.dto';
import { AliasListOkDto, AliasOkDto } from './dto/alias.dto';

@ApiTags('alias')
@Controller('alias')
export class AliasesController {
  constructor(private readonly aliases: AliasesService) {}

  @ApiNode({
    path: 'add',
    operationId: 'aliasAdd',
    role: 'admin',
    audit: aliasTarget,
    summary: 'Add an alias alias_username@alias_domain leading to destination',
    description:
      'The alias domain must be local (nxdomain). A destination at a local domain must be a subscriber (nonexistant); ' +
      "one elsewhere is taken as it is. exists: the alias exists, its address is a user's or a subscriber's, or it is " +
      'an E.164 alias and the destination already has one. invalid: cause alias (alias_username/alias_domain) or destination.',
    ok: AliasOkDto,
    failures: ['nxdomain', 'nonexistant', 'exists'],
  })
  async add(@Query() q: AddAliasQueryDto, @AuditedWrite() audit: WriteAudit) {
    return ok(await this.aliases.add(resolveAliasParts(q, 'alias'), toAddress(q.destination), audit));
  }

  @ApiNode({
    path: 'remove',
    operationId: 'aliasRemove',
    role: 'admin',
    audit: aliasTarget,
    summary: 'Remove the alias alias_username@alias_domain',
    description: 'Answers the removed alias and where it led. invalid: cause address.',
    ok: AliasOkDto,
    failures: ['nonexistant'],
  })
  async remove(@Query() q: RemoveAliasQueryDto, @AuditedWrite() audit: WriteAudit) {
    return ok(await this.aliases.remove(resolveAliasParts(q, 'address'), audit));
  }

  @ApiNode({
    path: 'list',
    operationId: 'aliasList',
    role: 'read',
    summary: 'Aliases by destination (e164=true: only E.164 aliases) or by alias address',
    description: 'At least one of destination and alias; both narrow together.',
    ok: AliasListOkDto,
  })
  async list(@Query() q: ListAliasesQueryDto) {
    const filter = resolveAliasFilter(q);
    return ok({ aliases: await this.aliases.list({ ...filter, e164Only: q.e164 === true, limit: q.limit }) });
  }
}
