import { Module } from '@nestjs/common';
import { ClientsModule } from '../clients/clients.module';
import { CustomerAssignmentDataModule } from '../segment-customers/customer-assignment-data.module';
import { ItemAssignmentDataModule } from '../segment-items/item-assignment-data.module';
import { RulesModule } from '../rules/rules.module';
import { VisibilityModule } from '../visibility/visibility.module';
import { SegmentCascade } from './segment-cascade.service';
import { SegmentDataModule } from './segment-data.module';
import { SegmentMatchService } from './segment-match.service';
import { SegmentsBulkService } from './segments-bulk.service';
import { SegmentsController } from './segments.controller';
import { SegmentsService } from './segments.service';

@Module({
  imports: [SegmentDataModule, CustomerAssignmentDataModule, ItemAssignmentDataModule, VisibilityModule, ClientsModule, RulesModule],
  controllers: [SegmentsController],
  providers: [SegmentsService, SegmentsBulkService, SegmentMatchService, SegmentCascade],
})
export class SegmentsModule {}
