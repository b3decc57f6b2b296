import { Controller, Query, Req } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { phoneUserTarget } from '../audit/targets';
import { AuditedWrite, type WriteAudit } from '../audit/write-audit';
import { ApiNode } from '../common/api-node.decorator';
import { ok } from '../common/envelope';
import { streamedOk } from '../common/list-stream';
import { resolveUserRef } from '../common/user-ref';
import { PhoneAddQueryDto, PhoneRemoveOkDto } from './dto/phone-device.dto';
import { GetPhoneQueryDto, ListPhonesQueryDto, PhoneUserQueryDto } from './dto/phone-queries.dto';
import { PhoneGetOkDto, PhoneListOkDto, PhoneUserOkDto } from './dto/phone.dto';
import { resolvePhoneGet } from './phone-ref';
import { PhonesService } from './phones.service';

@ApiTags('phone')
@Controller('phone')
export class PhonesController {
  constructor(private readonly phones: PhonesService) {}

  @ApiNode({
    path: 'get',
    operationId: 'phoneGet',
    role: 'read',
    // The hottest reads (provisioning servers at boot storms): see ApiNodeOptions.lean.
    lean: true,
    summary: 'The users on a phone (by mac), or the phones of a user (by user= or username+domain)',
    description:
      'By MAC: `mac` and `users` (user@domain, in line order); with a device record (phone/set) also `vendor` and ' +
      '`model` (null when unset), and `users` may be empty; a MAC with neither users nor device record is failed/nonexistant. ' +
      'By user: `user` and `macs`, an empty list when the user is on no phone; an unknown user is failed/nonexistant.',
    ok: PhoneGetOkDto,
    failures: ['nonexistant'],
  })
  async get(@Query() q: GetPhoneQueryDto) {
    const target = resolvePhoneGet(q);
    return ok('mac' in target ? await this.phones.usersOf(target.mac, q.limit) : await this.phones.macsOf(target.address, q.limit));
  }

  @ApiNode({
    path: 'list',
    operationId: 'phoneList',
    role: 'read',
    summary: 'MACs of all phones that carry a user, or of those matching a glob',
    ok: PhoneListOkDto,
  })
  async list(@Query() q: ListPhonesQueryDto, @Req() request: FastifyRequest) {
    return streamedOk('macs', this.phones.listChunks(q.search, q.limit), request);
  }

  @ApiNode({
    path: 'add',
    operationId: 'phoneAdd',
    role: 'admin',
    audit: phoneUserTarget,
    summary: 'Put a user (local or remote) on a phone',
    description:
      'The user must exist; the same pair twice is failed/exists. `line` (1-based) places the user on that line ' +
      '(a taken line is failed/exists, and the answer then carries `line`); without it the user takes the lowest free line.',
    ok: PhoneUserOkDto,
    failures: ['nonexistant', 'exists'],
  })
  async add(@Query() q: PhoneAddQueryDto, @AuditedWrite() audit: WriteAudit) {
    return ok(await this.phones.add(q.mac, resolveUserRef(q), q.line, audit));
  }

  @ApiNode({
    path: 'remove',
    operationId: 'phoneRemove',
    role: 'admin',
    audit: phoneUserTarget,
    summary: "Take a user off a phone, or (without a user) remove the phone's device record",
    description:
      'failed/nonexistant when the user is unknown or not on that phone. Without a user, a phone with a device record ' +
      '(phone/set) loses it and its provisioning secret (failed/inuse while it carries users); for a MAC without one ' +
      'the user is missing (invalid), as always.',
    ok: PhoneRemoveOkDto,
    failures: ['nonexistant', 'inuse'],
  })
  async remove(@Query() q: PhoneUserQueryDto, @AuditedWrite() audit: WriteAudit) {
    if (q.user === undefined && q.username === undefined && q.domain === undefined) {
      const removed = await this.phones.removeDevice(q.mac, audit);
      if (removed) return ok(removed);
    }
    return ok(await this.phones.remove(q.mac, resolveUserRef(q), audit));
  }
}
