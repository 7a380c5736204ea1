import { Module } from '@nestjs/common';
import { ClientsModule } from '../clients/clients.module';
import { SegmentDataModule } from '../segments/segment-data.module';
import { VisibilityModule } from '../visibility/visibility.module';
import { CategoryTreesService } from './category-trees.service';
import { ItemAssignmentDataModule } from './item-assignment-data.module';
import { SegmentItemsAcrossController, SegmentItemsController } from './segment-items.controller';
import { SegmentItemsService } from './segment-items.service';

@Module({
  imports: [ItemAssignmentDataModule, SegmentDataModule, VisibilityModule, ClientsModule],
  controllers: [SegmentItemsAcrossController, SegmentItemsController],
  providers: [SegmentItemsService, CategoryTreesService],
})
export class SegmentItemsModule {}
