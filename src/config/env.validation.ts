import { plainToInstance, Transform } from 'class-transformer';
import { IsBoolean, IsIn, IsInt, IsOptional, IsString, IsUrl, Matches, Max, Min, MinLength, validateSync } from 'class-validator';
import { DATABASE_URL_FORMS, DATABASE_URL_PATTERN } from '../database/dialects';

const toBoolean = ({ value }: { value: unknown }): unknown => {
  if (typeof value !== 'string') return value;
  const v = value.trim().toLowerCase();
  if (['true', '1', 'yes', 'on'].includes(v)) return true;
  if (['false', '0', 'no', 'off', ''].includes(v)) return false;
  return value;
};

const toInteger = ({ value }: { value: unknown }): unknown =>
  typeof value === 'string' && /^\s*-?\d+\s*$/.test(value) ? Number(value) : value;

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'verbose'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];
export const LOG_FORMATS = ['auto', 'json', 'pretty'] as const;
export type LogFormat = (typeof LOG_FORMATS)[number];

/**
 * Every environment variable kamprov reads, with its default. Checked once at boot:
 * a bad value stops the process with a message that names the variable (never its value,
 * since DATABASE_URL and BOOTSTRAP_API_KEY carry secrets).
 */
export class EnvironmentVariables {
  // Each SQL dialect (src/database/) says what its URLs look like.
  @Matches(DATABASE_URL_PATTERN, { message: `must be ${DATABASE_URL_FORMS}` })
  DATABASE_URL = 'sqlite:./data/kamprov.sqlite';

  @Transform(toInteger)
  @IsInt({ message: 'must be an integer port number' })
  @Min(0)
  @Max(65535)
  PORT = 3000;

  @IsString()
  @MinLength(1)
  HOST = '127.0.0.1';

  @IsOptional()
  @Matches(/^\/?[A-Za-z0-9._~-]+(\/[A-Za-z0-9._~-]+)*\/?$/, { message: 'must be a path such as api/v1' })
  API_PREFIX?: string;

  @Transform(toBoolean)
  @IsBoolean({ message: 'must be true or false' })
  LEGACY_HTTP_200 = false;

  @Transform(toInteger)
  @IsInt({ message: 'must be an integer' })
  @Min(8)
  @Max(64)
  PASSWORD_LENGTH = 16;

  @Transform(toInteger)
  @IsInt({ message: 'must be an integer' })
  @Min(1)
  @Max(100_000_000)
  NUMBERS_MAX_RANGE = 1_000_000;

  @IsOptional()
  @IsUrl({ require_tld: false, protocols: ['http', 'https'], require_protocol: true })
  KAMAILIO_RPC_URL?: string;

  @IsOptional()
  @IsString()
  @MinLength(16, { message: 'must be at least 16 characters' })
  BOOTSTRAP_API_KEY?: string;

  @Transform(toBoolean)
  @IsBoolean({ message: 'must be true or false' })
  ALLOW_QUERY_API_KEY = false;

  /** Requests per key per window; 0 turns rate limiting off. */
  @Transform(toInteger)
  @IsInt({ message: 'must be an integer' })
  @Min(0)
  @Max(1_000_000)
  RATE_LIMIT_MAX = 1200;

  @Transform(toInteger)
  @IsInt({ message: 'must be an integer' })
  @Min(1)
  @Max(86_400)
  RATE_LIMIT_WINDOW_S = 60;

  /** Comma-separated origins allowed by CORS; none = CORS off. */
  @IsOptional()
  @Matches(/^https?:\/\/[^,\s]+(,\s*https?:\/\/[^,\s]+)*$/, { message: 'must be a comma-separated list of http(s) origins' })
  CORS_ORIGINS?: string;

  @Transform(toBoolean)
  @IsBoolean({ message: 'must be true or false' })
  MIGRATIONS_RUN = true;

  @Transform(toInteger)
  @IsInt({ message: 'must be an integer' })
  @Min(1)
  @Max(200)
  DB_POOL_SIZE = 10;

  @IsIn(LOG_LEVELS)
  LOG_LEVEL: LogLevel = 'info';

  /** `json` (one JSON object a line), `pretty` (pino-pretty), `auto`: pretty on a terminal outside production. */
  @IsIn(LOG_FORMATS)
  LOG_FORMAT: LogFormat = 'auto';

  /** Redis for the rate limiter's counters, shared by every instance (`redis://[:pass@]host:port[/db]`); none = per process. */
  @IsOptional()
  @Matches(/^rediss?:\/\/\S+$/, { message: 'must be a redis:// or rediss:// URL' })
  REDIS_URL?: string = undefined;

  /** Prefix of the rate limiter's keys in Redis (one per deployment sharing a Redis). */
  @Matches(/^[\x21-\x7e]{1,64}$/, { message: 'must be 1 to 64 printable characters' })
  REDIS_KEY_PREFIX = 'kamprov:rl:';

  /** `/metrics` without an API key (for a scraper on a private network); default: any valid key. */
  @Transform(toBoolean)
  @IsBoolean({ message: 'must be true or false' })
  METRICS_PUBLIC = false;

  /** Swagger UI keeps a pasted API key in the browser's localStorage (persistAuthorization). */
  @Transform(toBoolean)
  @IsBoolean({ message: 'must be true or false' })
  SWAGGER_PERSIST_AUTH = false;
}

export class InvalidEnvironmentError extends Error {}

/** Parses and checks the environment; throws one error naming every bad variable. */
export function loadEnv(raw: Record<string, string | undefined> = process.env): EnvironmentVariables {
  const known = Object.keys(new EnvironmentVariables()).concat('API_PREFIX', 'KAMAILIO_RPC_URL', 'BOOTSTRAP_API_KEY', 'CORS_ORIGINS');
  const present: Record<string, string> = {};
  for (const key of new Set(known)) {
    const value = raw[key];
    if (value !== undefined && value !== '') present[key] = value; // empty = unset
  }
  const env = plainToInstance(EnvironmentVariables, present);
  const errors = validateSync(env, { skipMissingProperties: false });
  if (errors.length > 0) {
    const lines = errors.map((e) => `  ${e.property}: ${Object.values(e.constraints ?? {}).join('; ')}`);
    throw new InvalidEnvironmentError(`Invalid configuration:\n${lines.join('\n')}`);
  }
  return env;
}
