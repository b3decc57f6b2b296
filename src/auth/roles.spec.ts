import { isWriteNode, nodeOf, requiredRole, roleAtLeast } from './roles';

describe('roles', () => {
  it('read nodes need read; writes and the audit trail need admin', () => {
    for (const p of ['/user/get', '/user/list', '/numbers/inpool', '/user/genpw', '/api/v1/phone/get']) {
      expect(requiredRole(nodeOf(p))).toBe('read');
      expect(isWriteNode(nodeOf(p))).toBe(false);
    }
    for (const p of ['/user/add_local', '/user/change_pw', '/numbers/remove', '/alias/add', '/domain/remove']) {
      expect(requiredRole(nodeOf(p))).toBe('admin');
      expect(isWriteNode(nodeOf(p))).toBe(true);
    }
    expect(requiredRole(nodeOf('/audit/list'))).toBe('admin');
    expect(isWriteNode(nodeOf('/audit/list'))).toBe(false);
    expect(isWriteNode(nodeOf('/health/live'))).toBe(false);
    expect(isWriteNode(nodeOf('/health/ready'))).toBe(false);
  });

  it('orders roles read < provision < admin', () => {
    expect(roleAtLeast('admin', 'read')).toBe(true);
    expect(roleAtLeast('provision', 'read')).toBe(true);
    expect(roleAtLeast('provision', 'admin')).toBe(false);
    expect(roleAtLeast('read', 'provision')).toBe(false);
  });
});
