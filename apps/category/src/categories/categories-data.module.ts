import { Module } from '@nestjs/common';
import { CategoriesRepository } from './categories.repository';
import { CategoryStateRepository } from './category-state.repository';

/** The categories collection and the per-tenant state (hierarchy lock, tree epoch). */
@Module({ providers: [CategoriesRepository, CategoryStateRepository], exports: [CategoriesRepository, CategoryStateRepository] })
export class CategoriesDataModule {}
