import { Module } from '@nestjs/common';
import { ClientsModule } from '../clients/clients.module';
import { CustomersDataModule } from '../segment-customers/customers-data.module';
import { ItemsDataModule } from '../segment-items/items-data.module';
import { VisibilityModule } from '../visibility/visibility.module';
import { SegmentCascade } from './segment-cascade.service';
import { SegmentMatchService } from './segment-match.service';
import { SegmentsBulkService } from './segments-bulk.service';
import { SegmentsController } from './segments.controller';
import { SegmentsDataModule } from './segments-data.module';
import { SegmentsService } from './segments.service';

@Module({
  imports: [SegmentsDataModule, CustomersDataModule, ItemsDataModule, VisibilityModule, ClientsModule],
  controllers: [SegmentsController],
  providers: [SegmentsService, SegmentsBulkService, SegmentMatchService, SegmentCascade],
})
export class SegmentsModule {}
