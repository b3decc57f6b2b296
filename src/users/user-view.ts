import type { UserEntity } from './entities/user.entity';

/** The user object of the contract: every key always present, null where unset. */
export interface UserView {
  user: string;
  username: string;
  domain: string;
  type: 'local' | 'remote';
  displayname: string | null;
  email: string | null;
  password: string | null;
  registrar: string | null;
  r_port: number | null;
  proxy: string | null;
  p_port: number | null;
  authid: string | null;
  dialplan: string | null;
  linetext: string | null;
}

/** Maps an entity (plus a local user's subscriber password) to the user object. */
export function toUserView(u: Omit<UserEntity, 'createdAt' | 'updatedAt'>, subscriberPassword: string | null): UserView {
  // Domains are answered lower-case, also for subscribers adopted as another tool wrote them.
  const domain = u.domain.toLowerCase();
  return {
    user: `${u.username}@${domain}`,
    username: u.username,
    domain,
    type: u.type,
    displayname: u.displayname ?? null,
    email: u.email ?? null,
    // Kamailio stores '' in `password` for a subscriber kept as ha1 only: no password to show.
    password: (u.type === 'local' ? subscriberPassword : u.password) || null,
    registrar: u.registrar ?? null,
    r_port: u.rPort ?? null,
    proxy: u.proxy ?? null,
    p_port: u.pPort ?? null,
    authid: u.authid ?? null,
    dialplan: u.dialplan ?? null,
    linetext: u.linetext ?? null,
  };
}
