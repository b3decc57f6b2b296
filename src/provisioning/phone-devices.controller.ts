import { Controller, Query, Req } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { ApiTags } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { ApiNode } from '../common/api-node.decorator';
import { ok } from '../common/envelope';
import type { AllConfig } from '../config/config.types';
import {
  PhoneConfigOkDto,
  PhoneConfigQueryDto,
  PhoneDeviceOkDto,
  PhoneMacQueryDto,
  PhoneSecretOkDto,
  PhoneSetQueryDto,
} from '../phones/dto/phone-device.dto';
import { macTarget } from '../audit/targets';
import { AuditedWrite, type WriteAudit } from '../audit/write-audit';
import { DevicesService } from './devices.service';
import { ProvisioningService } from './provisioning.service';

/** phone/set, phone/secret, phone/config: phones as devices that fetch their configuration (issue 13). */
@ApiTags('phone')
@Controller('phone')
export class PhoneDevicesController {
  private readonly prefix: string;

  constructor(
    private readonly devices: DevicesService,
    private readonly prov: ProvisioningService,
    config: ConfigService<AllConfig, true>,
  ) {
    const p = config.get('app', { infer: true }).apiPrefix;
    this.prefix = p ? `/${p}` : '';
  }

  @ApiNode({
    path: 'set',
    operationId: 'phoneSet',
    summary: "Create or update a phone's device record (vendor, model)",
    description: 'The vendor decides the format of the files the phone fetches from /prov. `model` unchanged when omitted.',
    ok: PhoneDeviceOkDto,
    // Like every other write (phone/add included): admin.
    role: 'admin',
    audit: macTarget,
  })
  async set(@Query() q: PhoneSetQueryDto, @AuditedWrite() audit: WriteAudit) {
    return ok(await this.devices.set(q.mac, q.vendor, q.model, audit));
  }

  @ApiNode({
    path: 'secret',
    operationId: 'phoneSecret',
    summary: "Create or rotate a phone's provisioning credentials, shown this once",
    description:
      'Digest username (the MAC) and password for /prov (realm `kamprov`), and the token of /prov/t/<token>/<file>. ' +
      'kamprov keeps only the Digest HA1s and a hash of the token; the previous credentials stop working at once. ' +
      'failed/nonexistant without a device record (phone/set).',
    ok: PhoneSecretOkDto,
    failures: ['nonexistant'],
    role: 'admin',
    audit: macTarget,
  })
  async secret(@Query() q: PhoneMacQueryDto, @AuditedWrite() audit: WriteAudit) {
    return ok(await this.devices.rotateSecret(q.mac, audit));
  }

  @ApiNode({
    path: 'config',
    operationId: 'phoneConfig',
    summary: 'Preview the file a phone would get from /prov',
    description:
      'The rendered file for `file` (as the phone names it) in an envelope: `content_type` and `content`. ' +
      'failed/nonexistant without a device record or for a name that is not a file of this phone; ' +
      'a template that fails is invalid/template, with where it failed.',
    ok: PhoneConfigOkDto,
    failures: ['nonexistant'],
    role: 'admin',
  })
  async config(@Query() q: PhoneConfigQueryDto, @Req() req: FastifyRequest) {
    const rendered = await this.prov.preview(q.mac, q.file, `${req.protocol}://${req.host}${this.prefix}/prov`);
    return ok({ mac: q.mac, file: q.file, ...rendered });
  }
}
