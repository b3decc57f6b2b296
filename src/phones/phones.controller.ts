import { Controller, Query } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { phoneUserTarget } from '../audit/targets';
import { ApiNode } from '../common/api-node.decorator';
import { ok } from '../common/envelope';
import { streamedOk } from '../common/list-stream';
import { resolveUserRef } from '../common/user-ref';
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
    summary: 'The users on a phone (by mac), or the phones of a user (by user= or username+domain)',
    description:
      'By MAC: `mac` and `users` (user@domain); a MAC that carries no user is failed/nonexistant. ' +
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
  async list(@Query() q: ListPhonesQueryDto) {
    return streamedOk('macs', this.phones.listChunks(q.search, q.limit));
  }

  @ApiNode({
    path: 'add',
    operationId: 'phoneAdd',
    role: 'admin',
    audit: phoneUserTarget,
    summary: 'Put a user (local or remote) on a phone',
    description: 'The user must exist; the same pair twice is failed/exists.',
    ok: PhoneUserOkDto,
    failures: ['nonexistant', 'exists'],
  })
  async add(@Query() q: PhoneUserQueryDto) {
    return ok(await this.phones.add(q.mac, resolveUserRef(q)));
  }

  @ApiNode({
    path: 'remove',
    operationId: 'phoneRemove',
    role: 'admin',
    audit: phoneUserTarget,
    summary: 'Take a user off a phone',
    description: 'failed/nonexistant when the user is unknown or not on that phone.',
    ok: PhoneUserOkDto,
    failures: ['nonexistant'],
  })
  async remove(@Query() q: PhoneUserQueryDto) {
    return ok(await this.phones.remove(q.mac, resolveUserRef(q)));
  }
}
