import { Controller, Get, Inject, Param, Req, Res } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { ApiOperation, ApiParam, ApiProduces, ApiResponse, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { SkipThrottle } from '@nestjs/throttler';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Public } from '../auth/public.decorator';
import type { AllConfig } from '../config/config.types';
import { ProvisioningService } from './provisioning.service';

const FILE_DOC =
  'Yealink `<mac>.cfg` and the common `y000000000000.cfg` (no credentials), Snom `<MAC>.xml` and `snom<model>-<MAC>.htm`, ' +
  'Grandstream `cfg<mac>.xml`, Polycom `<mac>.cfg` (lists `<mac>-lines.cfg`), Fanvil `<mac>.cfg`, Cisco `<mac>.xml`; ' +
  "the MAC in either case. The phone's stored vendor decides an ambiguous name; a name that does not fit it is 404.";

const RESPONSES = [
  ApiResponse({
    status: 200,
    description: 'the file (not an envelope), `Cache-Control: no-store`',
    content: { 'text/plain': { schema: { type: 'string' } }, 'application/xml': { schema: { type: 'string' } } },
  }),
  ApiResponse({ status: 401, description: 'Digest challenge (SHA-256 and MD5, qop=auth), whether or not the MAC is known; plain text' }),
  ApiResponse({ status: 403, description: 'a User-Agent that carries another MAC, or a wrong token; plain text' }),
  ApiResponse({ status: 404, description: 'no such file for this phone; plain text' }),
  ApiResponse({ status: 429, description: 'too many requests from this address; plain text' }),
];

/**
 * /prov: phones fetch their configuration here (issue 13). Not behind API keys (phones have
 * none) and not counted by the API's rate limit: Digest or the phone's token protects each
 * phone's files, and /prov has its own limit per client address (ProvisioningService).
 */
@ApiTags('prov')
@Controller('prov')
@Public()
@SkipThrottle()
export class ProvController {
  private readonly prefix: string;

  constructor(
    private readonly prov: ProvisioningService,
    @Inject(ConfigService) config: ConfigService<AllConfig, true>,
  ) {
    const p = config.get('app', { infer: true }).apiPrefix;
    this.prefix = p ? `/${p}` : '';
  }

  @Get(':file')
  @ApiOperation({ operationId: 'provFile', summary: "A phone's configuration file (HTTP Digest, username = MAC)", description: FILE_DOC })
  @ApiSecurity('prov-digest')
  @ApiParam({ name: 'file', example: 'f00ba2ba5c00.cfg' })
  @ApiProduces('text/plain', 'application/xml')
  @RESPONSES_DECORATOR()
  file(@Param('file') name: string, @Req() req: FastifyRequest, @Res() reply: FastifyReply) {
    return this.send(req, reply, name);
  }

  @Get(':dir/:file')
  @ApiOperation({ operationId: 'provDirFile', summary: 'baresip `<mac>/accounts`, linphone `<mac>/linphone.xml` (HTTP Digest)' })
  @ApiSecurity('prov-digest')
  @ApiParam({ name: 'dir', example: 'f00ba2ba5c00' })
  @ApiParam({ name: 'file', example: 'accounts' })
  @ApiProduces('text/plain', 'application/xml')
  @RESPONSES_DECORATOR()
  dirFile(@Param('dir') dir: string, @Param('file') name: string, @Req() req: FastifyRequest, @Res() reply: FastifyReply) {
    return this.send(req, reply, `${dir}/${name}`);
  }

  @Get('t/:token/:file')
  @ApiOperation({
    operationId: 'provTokenFile',
    summary: "A phone's file by its token (for clients without Digest)",
    description: FILE_DOC,
  })
  @ApiSecurity({})
  @ApiParam({ name: 'token', description: 'the token phone/secret showed' })
  @ApiParam({ name: 'file', example: 'f00ba2ba5c00.cfg' })
  @ApiProduces('text/plain', 'application/xml')
  @RESPONSES_DECORATOR()
  tokenFile(@Param('token') token: string, @Param('file') name: string, @Req() req: FastifyRequest, @Res() reply: FastifyReply) {
    return this.send(req, reply, name, token);
  }

  @Get('t/:token/:dir/:file')
  @ApiOperation({ operationId: 'provTokenDirFile', summary: "baresip/linphone files by the phone's token, e.g. linphone's `config-uri`" })
  @ApiSecurity({})
  @ApiParam({ name: 'token', description: 'the token phone/secret showed' })
  @ApiParam({ name: 'dir', example: 'f00ba2ba5c00' })
  @ApiParam({ name: 'file', example: 'linphone.xml' })
  @ApiProduces('text/plain', 'application/xml')
  @RESPONSES_DECORATOR()
  tokenDirFile(
    @Param('token') token: string,
    @Param('dir') dir: string,
    @Param('file') name: string,
    @Req() req: FastifyRequest,
    @Res() reply: FastifyReply,
  ) {
    return this.send(req, reply, `${dir}/${name}`, token);
  }

  private async send(req: FastifyRequest, reply: FastifyReply, name: string, token?: string): Promise<void> {
    const ua = req.headers['user-agent'];
    const answer = await this.prov.serve({
      file: name,
      token,
      method: req.method,
      uri: req.url,
      authorization: req.headers.authorization,
      userAgent: typeof ua === 'string' ? ua : undefined,
      client: req.ip,
      provUrl: `${req.protocol}://${req.host}${this.prefix}/prov`,
      log: req.log,
    });
    void reply.status(answer.status).headers(answer.headers).send(answer.body);
  }
}

function RESPONSES_DECORATOR(): MethodDecorator {
  return (target, key, descriptor) => {
    for (const d of RESPONSES) d(target, key, descriptor);
  };
}
