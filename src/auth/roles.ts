/** Roles, least privilege first. */
export const ROLES = ['read', 'provision', 'admin'] as const;
export type Role = (typeof ROLES)[number];

/** Nodes that only read; every other node writes. */
const READ_NODES = new Set(['get', 'list', 'inpool', 'genpw']);

export interface NodeName {
  group: string;
  node: string;
}

/** `/api/v1/user/get` -> { group: 'user', node: 'get' } (the last two path segments). */
export function nodeOf(routePath: string): NodeName {
  const parts = routePath.split('?')[0].split('/').filter(Boolean);
  return { group: parts[parts.length - 2] ?? '', node: parts[parts.length - 1] ?? '' };
}

/** Groups that are not provisioning nodes: the audit trail and the (public) health probes. */
const NOT_NODES = new Set(['audit', 'health']);

/** A write node: anything but get, list, inpool and genpw, the audit trail and health probes. */
export function isWriteNode(n: NodeName): boolean {
  // A route ending in a parameter (/prov/:file) is a file, not a node.
  return !NOT_NODES.has(n.group) && !READ_NODES.has(n.node) && !n.node.startsWith(':');
}

/**
 * The least role a node needs: `read` for get, list, inpool and genpw (a `read` key sees
 * passwords as null, a `provision` key sees them); `admin` for every write and the audit trail.
 */
export function requiredRole(n: NodeName): Role {
  if (n.group === 'audit') return 'admin';
  return READ_NODES.has(n.node) ? 'read' : 'admin';
}

export const roleAtLeast = (have: Role, need: Role): boolean => ROLES.indexOf(have) >= ROLES.indexOf(need);
