import { Module } from '@nestjs/common';
import { AssignmentsDataModule } from '../assignments/assignments-data.module';
import { AssignmentPathsService } from './assignment-paths.service';
import { CategoriesDataModule } from './categories-data.module';
import { CategoriesController } from './categories.controller';
import { CategoriesService } from './categories.service';
import { CategoryDeletionService } from './category-deletion.service';
import { CategoryHierarchyService } from './category-hierarchy.service';
import { CategoryQueriesService } from './category-queries.service';
import { CategoryTreesController } from './category-trees.controller';
import { CategoryTreesService } from './category-trees.service';
import { HierarchyCache } from './hierarchy.cache';
import { HierarchyLock } from './hierarchy-lock';

/**
 * Categories and trees (ops 1–10, 21–24). The hierarchy lock and the tree snapshot cache are
 * process-wide per tenant, so they live here once; the assignments feature reads through the
 * exported cache, category reads and assignment paths.
 */
@Module({
  imports: [CategoriesDataModule, AssignmentsDataModule],
  controllers: [CategoriesController, CategoryTreesController],
  providers: [
    CategoriesService,
    CategoryDeletionService,
    CategoryQueriesService,
    CategoryTreesService,
    CategoryHierarchyService,
    HierarchyLock,
    HierarchyCache,
    AssignmentPathsService,
  ],
  exports: [CategoryQueriesService, HierarchyCache, AssignmentPathsService],
})
export class CategoriesModule {}
