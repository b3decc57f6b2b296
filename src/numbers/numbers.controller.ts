import { Controller, Query, Req } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { numberTarget, rangeTarget } from '../audit/targets';
import { AuditedWrite, type WriteAudit } from '../audit/write-audit';
import { ApiNode } from '../common/api-node.decorator';
import { ok } from '../common/envelope';
import { streamedOk } from '../common/list-stream';
import { AddRangeQueryDto, ListNumbersQueryDto, NumberQueryDto } from './dto/number-queries.dto';
import { NumberAddedOkDto, NumberListOkDto, NumberOkDto, NumberRangeOkDto } from './dto/number.dto';
import { NumbersService } from './numbers.service';

@ApiTags('numbers')
@Controller('numbers')
export class NumbersController {
  constructor(private readonly numbers: NumbersService) {}

  @ApiNode({
    path: 'list',
    operationId: 'numbersList',
    role: 'read',
    summary: 'The number pool in numeric order, a glob search of it, or a random pick',
    description:
      'No parameters: the whole pool in numeric order. `search`: a glob over the E.164 text; without wildcards it ' +
      'matches anywhere. `random=true`: `limit` numbers (default 1) drawn uniformly without repeats, in random order.',
    ok: NumberListOkDto,
  })
  async list(@Query() q: ListNumbersQueryDto, @Req() request: FastifyRequest) {
    if (q.random) return ok({ numbers: await this.numbers.random(q.limit ?? 1, q.search) });
    // Streamed: a whole pool of a million numbers is never held in memory.
    return streamedOk('numbers', this.numbers.listChunks(q.search, q.limit), request);
  }

  @ApiNode({
    path: 'add',
    operationId: 'numbersAdd',
    role: 'admin',
    audit: numberTarget,
    summary: 'Add a number to the pool',
    ok: NumberAddedOkDto,
    failures: ['exists'],
  })
  async add(@Query() q: NumberQueryDto, @AuditedWrite() audit: WriteAudit) {
    const number = await this.numbers.add(q.number, audit);
    return ok({ number, detail: `Added ${number}` });
  }

  @ApiNode({
    path: 'add_range',
    operationId: 'numbersAddRange',
    role: 'admin',
    audit: rangeTarget,
    summary: 'Add every number from start to end (included) to the pool, all or nothing',
    description:
      'start and end share a country calling code and start < end; at most NUMBERS_MAX_RANGE numbers; ' +
      'otherwise invalid/range. Numbers already in the pool are skipped and counted.',
    ok: NumberRangeOkDto,
  })
  async addRange(@Query() q: AddRangeQueryDto, @AuditedWrite() audit: WriteAudit) {
    return ok(await this.numbers.addRange(q.start, q.end, audit));
  }

  @ApiNode({
    path: 'remove',
    operationId: 'numbersRemove',
    role: 'admin',
    audit: numberTarget,
    summary: 'Pull a number from the pool (exactly once under concurrency)',
    ok: NumberOkDto,
    failures: ['nonexistant'],
  })
  async remove(@Query() q: NumberQueryDto, @AuditedWrite() audit: WriteAudit) {
    return ok({ number: await this.numbers.remove(q.number, audit) });
  }

  @ApiNode({
    path: 'inpool',
    operationId: 'numbersInpool',
    role: 'read',
    // The hottest reads (provisioning servers at boot storms): see ApiNodeOptions.lean.
    lean: true,
    summary: 'Whether a number is in the pool',
    ok: NumberOkDto,
    failures: ['nonexistant'],
  })
  async inpool(@Query() q: NumberQueryDto) {
    return ok({ number: await this.numbers.inpool(q.number) });
  }
}
