import { Module } from '@nestjs/common';
import { VisibilityModule } from '../visibility/visibility.module';
import { CustomersDataModule } from './customers-data.module';
import { SegmentCustomersController } from './segment-customers.controller';
import { SegmentCustomersService } from './segment-customers.service';

@Module({ imports: [CustomersDataModule, VisibilityModule], controllers: [SegmentCustomersController], providers: [SegmentCustomersService] })
export class SegmentCustomersModule {}
