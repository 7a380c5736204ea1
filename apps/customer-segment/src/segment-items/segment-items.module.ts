import { Module } from '@nestjs/common';
import { ClientsModule } from '../clients/clients.module';
import { SegmentsDataModule } from '../segments/segments-data.module';
import { VisibilityModule } from '../visibility/visibility.module';
import { CategoryTreesService } from './category-trees.service';
import { ItemsDataModule } from './items-data.module';
import { SegmentItemsAcrossController, SegmentItemsController } from './segment-items.controller';
import { SegmentItemsService } from './segment-items.service';

@Module({
  imports: [ItemsDataModule, SegmentsDataModule, VisibilityModule, ClientsModule],
  controllers: [SegmentItemsAcrossController, SegmentItemsController],
  providers: [SegmentItemsService, CategoryTreesService],
})
export class SegmentItemsModule {}
