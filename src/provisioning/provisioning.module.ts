import { Module } from '@nestjs/common';
import { UsersModule } from '../users/users.module';
import { DevicesService } from './devices.service';
import { PhoneDevicesController } from './phone-devices.controller';
import { ProvController } from './prov.controller';
import { loadProvisioningConfig, PROVISIONING_CONFIG } from './provisioning.config';
import { ProvisioningService } from './provisioning.service';
import { TemplateRenderer } from './renderer';

/** Automatic phone provisioning (issue 13): device records, secrets, templates and /prov. */
@Module({
  imports: [UsersModule],
  controllers: [PhoneDevicesController, ProvController],
  providers: [
    { provide: PROVISIONING_CONFIG, useFactory: () => loadProvisioningConfig(process.env) },
    DevicesService,
    TemplateRenderer,
    ProvisioningService,
  ],
})
export class ProvisioningModule {}
