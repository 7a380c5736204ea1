import { Module } from '@nestjs/common';
import { SegmentsRepository } from './segments.repository';

/** The segments collection, for every feature that reads or writes segments. */
@Module({ providers: [SegmentsRepository], exports: [SegmentsRepository] })
export class SegmentDataModule {}
