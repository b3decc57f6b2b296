import { Controller, Query, Req } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { userTarget } from '../audit/targets';
import { AuditedWrite, type WriteAudit } from '../audit/write-audit';
import { ApiNode } from '../common/api-node.decorator';
import { UserRefQueryDto } from '../common/dto/user-ref.dto';
import { ok } from '../common/envelope';
import { streamedOk } from '../common/list-stream';
import { resolveUserRef } from '../common/user-ref';
import {
  AddLocalUserQueryDto,
  AddRemoteUserQueryDto,
  ChangePasswordQueryDto,
  GetUserQueryDto,
  ListUsersQueryDto,
  NoParamsQueryDto,
  UpdateUserQueryDto,
} from './dto/user-queries.dto';
import { EmptyOkDto, PasswordOkDto, UserListOkDto, UserOkDto } from './dto/user.dto';
import { UsersService } from './users.service';

@ApiTags('user')
@Controller('user')
export class UsersController {
  constructor(private readonly users: UsersService) {}

  @ApiNode({
    path: 'get',
    operationId: 'userGet',
    role: 'read',
    // The hottest reads (provisioning servers at boot storms): see ApiNodeOptions.lean.
    lean: true,
    summary: 'A user, by username+domain, user= or address=',
    description: 'Returns the full user object, without hardphone associations.',
    ok: UserOkDto,
    failures: ['nonexistant'],
  })
  async get(@Query() q: GetUserQueryDto) {
    return ok({ user: await this.users.get(resolveUserRef(q)) });
  }

  @ApiNode({
    path: 'list',
    operationId: 'userList',
    role: 'read',
    summary: 'Addresses of all users, or of those matching a glob',
    ok: UserListOkDto,
  })
  async list(@Query() q: ListUsersQueryDto, @Req() request: FastifyRequest) {
    return streamedOk('users', this.users.listChunks(q.search, q.limit), request);
  }

  @ApiNode({
    path: 'add_local',
    operationId: 'userAddLocal',
    role: 'admin',
    audit: userTarget,
    summary: 'Create a SIP account in Kamailio with a generated password',
    description:
      "Writes Kamailio's subscriber row (password, ha1, ha1b) and the provisioning row in one transaction. " +
      'The domain must be local; the address must not be held by a user, a subscriber or an alias.',
    ok: UserOkDto,
    failures: ['exists', 'nxdomain'],
  })
  async addLocal(@Query() q: AddLocalUserQueryDto, @AuditedWrite() audit: WriteAudit) {
    return ok({ user: await this.users.addLocal(resolveUserRef(q), q, audit) });
  }

  @ApiNode({
    path: 'add_remote',
    operationId: 'userAddRemote',
    role: 'admin',
    audit: userTarget,
    summary: 'Record an account at another registrar, for hardphones to carry',
    description: 'Refused with failed/domain for a local domain.',
    ok: UserOkDto,
    failures: ['exists', 'domain'],
  })
  async addRemote(@Query() q: AddRemoteUserQueryDto, @AuditedWrite() audit: WriteAudit) {
    return ok({ user: await this.users.addRemote(resolveUserRef(q), q, q, audit) });
  }

  @ApiNode({
    path: 'remove',
    operationId: 'userRemove',
    role: 'admin',
    audit: userTarget,
    summary: 'Remove a user (and its Kamailio subscriber)',
    description: 'Refused with failed/inuse while a phone or an alias points at the user.',
    ok: EmptyOkDto,
    failures: ['nonexistant', 'inuse'],
  })
  async remove(@Query() q: UserRefQueryDto, @AuditedWrite() audit: WriteAudit) {
    await this.users.remove(resolveUserRef(q), audit);
    return ok({});
  }

  @ApiNode({
    path: 'genpw',
    operationId: 'userGenpw',
    role: 'read',
    summary: 'A fresh password of the form user/add_local uses',
    ok: PasswordOkDto,
  })
  genpw(@Query() _q: NoParamsQueryDto) {
    return ok({ password: this.users.generatePassword() });
  }

  @ApiNode({
    path: 'change_pw',
    operationId: 'userChangePw',
    role: 'admin',
    audit: userTarget,
    summary: "Set a user's password (generated when omitted)",
    description: 'Local users get a new password, ha1 and ha1b in Kamailio; remote users a new stored password.',
    ok: UserOkDto,
    failures: ['nonexistant'],
  })
  async changePw(@Query() q: ChangePasswordQueryDto, @AuditedWrite() audit: WriteAudit) {
    return ok({ user: await this.users.changePassword(resolveUserRef(q), q.password, audit) });
  }

  @ApiNode({
    path: 'update',
    operationId: 'userUpdate',
    role: 'admin',
    audit: userTarget,
    summary: "Change a user's displayname, email, dialplan, linetext (remote: also registrar, ports, proxy, authid)",
    description: 'Only the given fields change; an empty value clears a field.',
    ok: UserOkDto,
    failures: ['nonexistant'],
  })
  async update(@Query() q: UpdateUserQueryDto, @AuditedWrite() audit: WriteAudit) {
    return ok({ user: await this.users.update(resolveUserRef(q), q, audit) });
  }
}
