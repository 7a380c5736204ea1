import { Module } from '@nestjs/common';
import { StatisticsController } from './statistics.controller';
import { StatisticsCounters } from './statistics-counters';
import { StatisticsRepository } from './statistics.repository';
import { StatisticsService } from './statistics.service';

/** The monthly delivery counters and their endpoint (README "Statistics"); the delivery engine writes them. */
@Module({
  controllers: [StatisticsController],
  providers: [StatisticsRepository, StatisticsCounters, StatisticsService],
  exports: [StatisticsRepository, StatisticsCounters],
})
export class StatisticsModule {}
