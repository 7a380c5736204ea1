import { Module } from '@nestjs/common';
import { ConfigsController } from './configs.controller';
import { ConfigsService } from './configs.service';
import { DashboardAccessController } from './dashboard-access.controller';
import { DestinationChecker } from './destination-checker';
import { StoredConfigReader } from './stored-config.reader';
import { WebhookConfigRepository } from './webhook-config.repository';
import { WebhookConfigReader } from './webhook-config.types';

/** Configs (README "Configs"); exports the {@link WebhookConfigReader} routing and delivery read the config with. */
@Module({
  controllers: [ConfigsController, DashboardAccessController],
  providers: [ConfigsService, WebhookConfigRepository, DestinationChecker, { provide: WebhookConfigReader, useClass: StoredConfigReader }],
  exports: [WebhookConfigReader],
})
export class ConfigsModule {}
