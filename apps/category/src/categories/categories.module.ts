import { Module } from '@nestjs/common';
import { CategoriesController } from './categories.controller';
import { CategoriesService } from './categories.service';
import { CategoryDeletionService } from './category-deletion.service';
import { CategoryQueriesService } from './category-queries.service';
import { CategoryTreesController } from './category-trees.controller';
import { CategoryTreesService } from './category-trees.service';

/** Categories and trees (ops 1–10, 21–24). */
@Module({
  controllers: [CategoriesController, CategoryTreesController],
  providers: [CategoriesService, CategoryDeletionService, CategoryQueriesService, CategoryTreesService],
  exports: [CategoryQueriesService],
})
export class CategoriesModule {}
