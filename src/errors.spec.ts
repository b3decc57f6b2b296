import { NotFoundException } from '@nestjs/common';
import { AliasesError, AliasesErrorCode } from './aliases/aliases.errors';
import { AuthError, AuthErrorCode } from './auth/auth.errors';
import { NumbersError, NumbersErrorCode } from './numbers/numbers.errors';
import { UsersError, UsersErrorCode } from './users/users.errors';
import { AllExceptionsFilter } from './common/all-exceptions.filter';
import type { EnvelopeRenderer } from './common/envelope-renderer';
import { statusOf } from './common/envelope';

describe('AllExceptionsFilter', () => {
  const sent: { envelope: unknown; headers: Record<string, string> }[] = [];
  const renderer = { send: (_reply: unknown, envelope: unknown, headers: Record<string, string> = {}) => sent.push({ envelope, headers }) };
  const filter = new AllExceptionsFilter(renderer as unknown as EnvelopeRenderer);
  const host = { switchToHttp: () => ({ getResponse: () => ({}), getRequest: () => ({ url: '/x/y', method: 'GET' }) }) };
  const answer = (err: unknown) => {
    filter.catch(err, host as never);
    return sent.pop();
  };

  it("answers a module's DomainError from the module's own map", () => {
    expect(answer(new UsersError(UsersErrorCode.NotFound, 'no user'))?.envelope).toEqual({
      response: 'failed',
      cause: 'nonexistant',
      detail: 'no user',
    });
    expect(answer(new UsersError(UsersErrorCode.RemoteFieldOnLocalUser, 'remote only', 'proxy'))?.envelope).toEqual({
      response: 'invalid',
      cause: 'proxy',
      detail: 'remote only',
    });
    expect(answer(new NumbersError(NumbersErrorCode.InvalidRange, 'too many'))?.envelope).toMatchObject({
      response: 'invalid',
      cause: 'range',
    });
    expect(answer(new AliasesError(AliasesErrorCode.E164Taken, 'taken'))?.envelope).toMatchObject({ response: 'failed', cause: 'exists' });
  });

  it("sends a DomainError's extra headers: a 401 says how to authenticate", () => {
    expect(answer(new AuthError(AuthErrorCode.Unauthenticated, 'no key'))).toEqual({
      envelope: { response: 'failed', cause: 'unauthenticated', detail: 'no key' },
      headers: { 'www-authenticate': 'Bearer realm="kamprov"' },
    });
    expect(answer(new AuthError(AuthErrorCode.Forbidden, 'weak'))?.headers).toEqual({});
  });

  it('answers a timeout as error/timeout (504), a failed or unreachable database as error/dbfail (503)', () => {
    const dbErr = (code: string) => Object.assign(new Error(code), { code });
    expect(answer(dbErr('PROTOCOL_SEQUENCE_TIMEOUT'))?.envelope).toMatchObject({ response: 'error', cause: 'timeout' });
    expect(answer(dbErr('ER_LOCK_WAIT_TIMEOUT'))?.envelope).toMatchObject({ response: 'error', cause: 'timeout' });
    expect(answer(dbErr('SQLITE_BUSY'))?.envelope).toMatchObject({ response: 'error', cause: 'timeout' });
    expect(answer(dbErr('ECONNREFUSED'))?.envelope).toMatchObject({ response: 'error', cause: 'dbfail' });
    // A Galera node outside the primary component (1047): unavailable, not an internal error.
    expect(answer(dbErr('ER_UNKNOWN_COM_ERROR'))?.envelope).toMatchObject({ response: 'error', cause: 'dbfail' });
    expect(statusOf({ response: 'error', cause: 'timeout', detail: '' })).toBe(504);
    expect(statusOf({ response: 'error', cause: 'dbfail', detail: '' })).toBe(503);
  });

  it('answers anything else too', () => {
    expect(answer(new NotFoundException())?.envelope).toMatchObject({ response: 'failed', cause: 'nonexistant' });
  });
});
