import { randomUUID } from 'node:crypto';
import { ConfigService } from '@nestjs/config';
import { ApplicationConfig, NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { LogController } from 'fastify';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { clientErrorHandler, frameworkErrorHandler, installDocsRedirect, installMethodGuard } from './common/http-guards';
import { assertLeanGlobals, installLeanRoutes } from './common/lean-route';
import { QueryValidationPipe } from './common/validation';
import { installSecurityHeaders } from './common/security-headers';
import { ApiKeyGuard } from './auth/api-key.guard';
import { AppModule } from './app.module';
import type { AllConfig } from './config/config.types';
import { loadEnv } from './config/env.validation';
import { nestLoggerFor } from './logging/nest-logger';
import { createRootLogger } from './logging/root-logger';

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,64}$/;

/** A caller's X-Request-Id when it is a sane token, else a fresh UUID. */
function requestId(req: { headers: Record<string, string | string[] | undefined> }): string {
  const given = req.headers['x-request-id'];
  return typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
}

/**
 * Builds the whole application (used by main.ts and by the e2e tests alike): the Fastify
 * adapter, the prefix, CORS, security headers, Swagger and shutdown. The modules install
 * their own Fastify hooks (auth: password mask; audit: the audit trail; logging: request log
 * and metrics), and every error is answered by the one exception filter (AllExceptionsFilter)
 * through the error handler Nest sets on Fastify; errors Fastify raises while routing get the
 * envelope from `frameworkErrors` below.
 */
export interface CreateAppOptions {
  /** Nodes declared `lean` get their lean handler (default); false leaves them to Nest's router (tests compare both). */
  leanRoutes?: boolean;
}

export async function createApp(options: CreateAppOptions = {}): Promise<NestFastifyApplication> {
  const env = loadEnv(); // fail fast, before any module starts
  const logger = createRootLogger({ level: env.LOG_LEVEL, format: env.LOG_FORMAT });
  const adapter = new FastifyAdapter({
    // Fastify's request loggers are children of the root logger, bound to a request id;
    // Fastify's own per-request lines are off: request-log.hook.ts writes one per request.
    loggerInstance: logger,
    logController: new LogController({ disableRequestLogging: true }),
    genReqId: requestId,
    routerOptions: { maxParamLength: 256 },
    bodyLimit: 64 * 1024,
    // Every node is a GET; HEAD must not run one (the method guard refuses it, too).
    exposeHeadRoutes: false,
    // Requests Fastify cannot even route (a URL with broken %-escapes), and requests Node's
    // parser refuses (a head over 16 KiB), get the envelope too; neither echoes the URL.
    frameworkErrors: frameworkErrorHandler({ legacyHttp200: env.LEGACY_HTTP_200 }),
    clientErrorHandler: clientErrorHandler({ legacyHttp200: env.LEGACY_HTTP_200 }),
  });
  const app = await NestFactory.create<NestFastifyApplication>(AppModule.forRoot(), adapter, {
    logger: nestLoggerFor(logger),
    abortOnError: false, // let main.ts report start-up failures its own way
  });
  // Before the routes are registered (at init): the hottest reads skip Nest's router.
  if (options.leanRoutes ?? true) {
    installLeanRoutes(app.getHttpAdapter().getInstance(), () => {
      const guard = app.get(ApiKeyGuard, { strict: false });
      // Nest keeps the globals (APP_GUARD, APP_PIPE, APP_INTERCEPTOR) in its ApplicationConfig.
      const config = (app as unknown as { config?: ApplicationConfig }).config;
      if (!config) throw new Error("lean routes: Nest's ApplicationConfig is not where it was (NestApplication.config)");
      const instances = (wrappers: { instance: unknown }[]) => wrappers.map((w) => w.instance);
      assertLeanGlobals(
        {
          guards: [...config.getGlobalGuards(), ...instances(config.getGlobalRequestGuards())],
          interceptors: [...config.getGlobalInterceptors(), ...instances(config.getGlobalRequestInterceptors())],
          pipes: [...config.getGlobalPipes(), ...instances(config.getGlobalRequestPipes())],
        },
        guard,
        (pipe) => pipe instanceof QueryValidationPipe,
      );
      return {
        instanceOf: (type) => app.get(type, { strict: false }),
        authorize: (request, node) => guard.authorize(request, node),
      };
    });
  }
  const { apiPrefix, corsOrigins } = app.get(ConfigService<AllConfig, true>).get('app', { infer: true });
  if (apiPrefix) app.setGlobalPrefix(apiPrefix);
  // CORS stays off unless origins are configured.
  if (corsOrigins.length > 0) {
    app.enableCors({ origin: corsOrigins, methods: ['GET'], allowedHeaders: ['X-API-Key', 'Authorization'] });
  }
  // Security headers (helmet's, computed once) on every answer, a 405 too; Swagger UI
  // (same-origin scripts, inline styles, data: images) still works.
  await installSecurityHeaders(app.getHttpAdapter().getInstance());
  // Before any other hook but the headers: a method other than GET is refused before a node,
  // the key guard or the audit trail sees it.
  installMethodGuard(app.getHttpAdapter().getInstance(), {
    legacyHttp200: env.LEGACY_HTTP_200,
    corsEnabled: corsOrigins.length > 0,
  });

  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('kamprov')
      .setDescription(
        'Provisioning API for SIP services built on Kamailio. Every node is a GET with query ' +
          'parameters and answers a JSON envelope: `response` is ok, invalid, failed or error; ' +
          '`cause` names the parameter or the reason; `detail` says it in words.',
      )
      .setVersion('0.1.0')
      .addApiKey({ type: 'apiKey', in: 'header', name: 'X-API-Key' }, 'api-key')
      .addBearerAuth({ type: 'http', scheme: 'bearer', description: 'the same API key, as a bearer token' }, 'bearer')
      .addSecurity('prov-digest', { type: 'http', scheme: 'digest', description: 'phones on /prov: username = MAC, realm kamprov' })
      .addSecurityRequirements('api-key')
      .addSecurityRequirements('bearer')
      .build(),
  );
  installDocsRedirect(app.getHttpAdapter().getInstance());
  SwaggerModule.setup('docs', app, document, {
    jsonDocumentUrl: 'openapi.json',
    yamlDocumentUrl: 'openapi.yaml',
    // A pasted key stays in the browser's localStorage only when asked for (any script on
    // the origin could read it there).
    swaggerOptions: { persistAuthorization: env.SWAGGER_PERSIST_AUTH },
  });
  app.enableShutdownHooks();
  return app;
}
