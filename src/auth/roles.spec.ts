import { METHOD_METADATA } from '@nestjs/common/constants';
import { AliasesController } from '../aliases/aliases.controller';
import { AuditController } from '../audit/audit.controller';
import { NODE_METADATA, NodeDeclaration } from '../common/api-node.decorator';
import { roleAtLeast } from '../common/roles';
import { DomainsController } from '../domains/domains.controller';
import { NumbersController } from '../numbers/numbers.controller';
import { PhonesController } from '../phones/phones.controller';
import { UsersController } from '../users/users.controller';

/** Every node declared by @ApiNode in the given controllers. */
function declaredNodes(...controllers: (new (...args: never[]) => object)[]): NodeDeclaration[] {
  return controllers.flatMap((c) =>
    Object.getOwnPropertyNames(c.prototype)
      .map((name) => (c.prototype as Record<string, unknown>)[name])
      .filter((h): h is object => typeof h === 'function' && Reflect.getMetadata(METHOD_METADATA, h) !== undefined)
      .map((h) => Reflect.getMetadata(NODE_METADATA, h) as NodeDeclaration),
  );
}

describe('roles', () => {
  const nodes = declaredNodes(UsersController, PhonesController, NumbersController, AliasesController, DomainsController, AuditController);
  const byName = new Map(nodes.map((n) => [n.name, n]));

  it('every node declares a role', () => {
    expect(nodes.every((n) => n !== undefined && typeof n.role === 'string')).toBe(true);
    expect(nodes).toHaveLength(24);
  });

  it('read nodes need read and are not audited; writes need admin and are audited; the audit trail needs admin', () => {
    for (const name of ['user/get', 'user/list', 'numbers/inpool', 'user/genpw', 'phone/get', 'domain/list', 'alias/list']) {
      expect(byName.get(name)).toMatchObject({ role: 'read', audit: undefined });
    }
    for (const name of ['user/add_local', 'user/change_pw', 'numbers/remove', 'alias/add', 'domain/remove', 'phone/add']) {
      expect(byName.get(name)?.role).toBe('admin');
      expect(typeof byName.get(name)?.audit).toBe('function');
    }
    expect(byName.get('audit/list')).toMatchObject({ role: 'admin', audit: undefined });
    // The rule, for every node: get, list, inpool and genpw read; anything else writes.
    for (const n of nodes) {
      const reads = /\/(get|list|inpool|genpw)$/.test(n.name);
      if (n.name === 'audit/list') continue;
      expect({ name: n.name, role: n.role, audited: n.audit !== undefined }).toEqual({
        name: n.name,
        role: reads ? 'read' : 'admin',
        audited: !reads,
      });
    }
  });

  it('audit targets name what a write acts on, never a password', () => {
    const target = (name: string, q: Record<string, string>) => byName.get(name)?.audit?.(q);
    expect(target('user/change_pw', { user: 'a@b.c', password: 'S3cr3t' })).toBe('a@b.c');
    expect(target('user/add_local', { username: 'a', domain: 'b.c' })).toBe('a@b.c');
    expect(target('user/remove', { address: 'a@b.c' })).toBe('a@b.c');
    expect(target('phone/add', { mac: '00:11:22:33:44:AA', user: 'a@b.c' })).toBe('0011223344aa a@b.c');
    expect(target('alias/add', { alias_username: 'sales', alias_domain: 'b.c', destination: 'a@b.c' })).toBe('sales@b.c');
    expect(target('numbers/add_range', { start: '+4761000000', end: '+4761000009' })).toBe('+4761000000..+4761000009');
    expect(target('numbers/remove', { number: '+4761000000' })).toBe('+4761000000');
    expect(target('domain/add', { domain: 'b.c' })).toBe('b.c');
  });

  it('orders roles read < provision < admin', () => {
    expect(roleAtLeast('admin', 'read')).toBe(true);
    expect(roleAtLeast('provision', 'read')).toBe(true);
    expect(roleAtLeast('provision', 'admin')).toBe(false);
    expect(roleAtLeast('read', 'provision')).toBe(false);
  });
});
