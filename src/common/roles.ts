/** Roles, least privilege first: `read` < `provision` < `admin`. */
export const ROLES = ['read', 'provision', 'admin'] as const;
export type Role = (typeof ROLES)[number];

export const roleAtLeast = (have: Role, need: Role): boolean => ROLES.indexOf(have) >= ROLES.indexOf(need);
