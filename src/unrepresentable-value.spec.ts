import { Logger } from '@nestjs/common';
import { QueryFailedError } from 'typeorm';
import { AllExceptionsFilter } from './common/all-exceptions.filter';
import type { EnvelopeRenderer } from './common/envelope-renderer';
import { MysqlDialect } from './database/mysql-dialect';
import { SqliteDialect } from './database/sqlite-dialect';

/** What mysql2 raises for a character a latin1 column lacks (captured from MariaDB 10.11). */
const BYTES = String.raw`'\xD0\x9F\xD0\xB0\xD1\x80...'`;
const mariadbError = (message = `Incorrect string value: ${BYTES} for column \`kamailio\`.\`subscriber\`.\`password\` at row 1`) =>
  new QueryFailedError(
    'UPDATE `subscriber` SET `password` = ? WHERE username = ?',
    ['Пароль-Секрет', 'alice'],
    Object.assign(new Error(message), { code: 'ER_TRUNCATED_WRONG_VALUE_FOR_FIELD', errno: 1366, sqlState: '22007' }),
  );

describe('a value the column cannot store (issue 14 item 10)', () => {
  it('MySQL/MariaDB classify it as unrepresentable, with the column', () => {
    const dialect = new MysqlDialect();
    expect(dialect.classify(mariadbError())).toEqual({ kind: 'unrepresentable', column: 'password' });
    // MySQL 8 names the column alone.
    expect(dialect.classify(mariadbError(`Incorrect string value: ${BYTES} for column 'displayname' at row 1`))).toEqual({
      kind: 'unrepresentable',
      column: 'displayname',
    });
    // Another 1366 (a bad number) is not about characters.
    expect(dialect.classify(mariadbError("Incorrect integer value: 'x' for column `d`.`t`.`r_port` at row 1"))).toEqual({ kind: 'other' });
    expect(new SqliteDialect().unrepresentableColumn(mariadbError())).toBeUndefined();
  });

  it('the filter answers invalid with the column as cause, and logs neither the value nor its bytes', () => {
    const logged: string[] = [];
    const capture = (...args: unknown[]) => void logged.push(args.map(String).join(' '));
    const spies = (['log', 'warn', 'error', 'debug', 'verbose', 'fatal'] as const).map((m) =>
      jest.spyOn(Logger.prototype, m).mockImplementation(capture),
    );
    try {
      const sent: unknown[] = [];
      const renderer = { send: (_reply: unknown, envelope: unknown) => sent.push(envelope) };
      const filter = new AllExceptionsFilter(renderer as unknown as EnvelopeRenderer);
      const host = {
        switchToHttp: () => ({
          getResponse: () => ({}),
          getRequest: () => ({ url: '/user/change_pw?user=a@b&password=x', method: 'GET' }),
        }),
      };
      filter.catch(mariadbError(), host as never);
      expect(sent).toEqual([{ response: 'invalid', cause: 'password', detail: expect.stringMatching(/^password has characters/) }]);
      expect(logged.join('\n')).toMatch(/column password cannot store/);
      expect(logged.join('\n')).not.toMatch(/Incorrect string value|\\x[0-9A-F]{2}|Пароль/i);
    } finally {
      spies.forEach((s) => s.mockRestore());
    }
  });
});
