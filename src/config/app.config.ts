import { registerAs } from '@nestjs/config';
import { loadEnv, LogFormat, LogLevel } from './env.validation';

export interface AppConfig {
  port: number;
  host: string;
  apiPrefix: string | undefined;
  legacyHttp200: boolean;
  passwordLength: number;
  numbersMaxRange: number;
  kamailioRpcUrl: string | undefined;
  bootstrapApiKey: string | undefined;
  allowQueryApiKey: boolean;
  /** Requests per key per window; 0 = off. */
  rateLimitMax: number;
  rateLimitWindowS: number;
  /** The limiter's counters in Redis (shared by every instance); undefined = per process. */
  redisUrl: string | undefined;
  redisKeyPrefix: string;
  corsOrigins: string[];
  logLevel: LogLevel;
  logFormat: LogFormat;
  /** /metrics needs no API key. */
  metricsPublic: boolean;
}

export const appConfig = registerAs('app', (): AppConfig => {
  const env = loadEnv();
  return {
    port: env.PORT,
    host: env.HOST,
    apiPrefix: env.API_PREFIX?.replace(/^\/+|\/+$/g, ''),
    legacyHttp200: env.LEGACY_HTTP_200,
    passwordLength: env.PASSWORD_LENGTH,
    numbersMaxRange: env.NUMBERS_MAX_RANGE,
    kamailioRpcUrl: env.KAMAILIO_RPC_URL,
    bootstrapApiKey: env.BOOTSTRAP_API_KEY,
    allowQueryApiKey: env.ALLOW_QUERY_API_KEY,
    rateLimitMax: env.RATE_LIMIT_MAX,
    rateLimitWindowS: env.RATE_LIMIT_WINDOW_S,
    redisUrl: env.REDIS_URL,
    redisKeyPrefix: env.REDIS_KEY_PREFIX,
    corsOrigins: env.CORS_ORIGINS ? env.CORS_ORIGINS.split(',').map((o) => o.trim()) : [],
    logLevel: env.LOG_LEVEL,
    logFormat: env.LOG_FORMAT,
    metricsPublic: env.METRICS_PUBLIC,
  };
});
