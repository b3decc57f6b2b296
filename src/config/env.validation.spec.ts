import { InvalidEnvironmentError, loadEnv } from './env.validation';

describe('loadEnv', () => {
  it('applies the documented defaults to an empty environment', () => {
    const env = loadEnv({});
    expect(env).toMatchObject({
      DATABASE_URL: 'sqlite:./data/kamprov.sqlite',
      PORT: 3000,
      HOST: '127.0.0.1',
      LEGACY_HTTP_200: false,
      PASSWORD_LENGTH: 16,
      NUMBERS_MAX_RANGE: 1_000_000,
      MIGRATIONS_RUN: true,
    });
    expect(env.API_PREFIX).toBeUndefined();
    expect(env.KAMAILIO_RPC_URL).toBeUndefined();
  });

  it('parses numbers and booleans', () => {
    const env = loadEnv({ PORT: '8080', LEGACY_HTTP_200: 'true', PASSWORD_LENGTH: '24', MIGRATIONS_RUN: 'false' });
    expect(env).toMatchObject({ PORT: 8080, LEGACY_HTTP_200: true, PASSWORD_LENGTH: 24, MIGRATIONS_RUN: false });
  });

  it.each([
    ['DATABASE_URL', 'mssql://x@y/z'],
    ['DATABASE_URL', 'mysql://root@localhost'],
    ['PORT', '70000'],
    ['PORT', 'http'],
    ['PASSWORD_LENGTH', '4'],
    ['NUMBERS_MAX_RANGE', '0'],
    ['LEGACY_HTTP_200', 'maybe'],
    ['KAMAILIO_RPC_URL', 'not a url'],
    ['LOG_LEVEL', 'loud'],
  ])('fails fast on a bad %s, naming it but not its value', (name, value) => {
    let caught: unknown;
    try {
      loadEnv({ [name]: value });
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(InvalidEnvironmentError);
    expect((caught as Error).message).toContain(name);
    expect((caught as Error).message).not.toContain(value);
  });
});
