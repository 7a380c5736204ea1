import type { StoredMetadata } from '@suite/api-kit';

export type CategoryType = 'STANDARD' | 'CLASSIFICATION';
export const CATEGORY_TYPES: readonly CategoryType[] = ['STANDARD', 'CLASSIFICATION'];

/** §4.1: the custom-id pattern of this service (a narrowing of ID-3) and its reserved ids. */
export const CATEGORY_ID_PATTERN = /^[A-Za-z0-9_-]{1,66}$/;
export const RESERVED_CATEGORY_IDS: readonly string[] = ['root', 'null', 'categoryTree'];

export type LocalizedMap = Record<string, string>;

export interface ClassificationMixin {
  name: string;
  schemaUrl: string;
  required: boolean;
}

/** The API-writable content of a category (everything but id, hierarchy materialisation and metadata). */
export interface CategoryContent {
  type: CategoryType;
  parentId?: string;
  code?: string;
  localizedName: LocalizedMap;
  localizedDescription?: LocalizedMap;
  localizedSlug?: LocalizedMap;
  ecn?: string[];
  validity?: { from?: Date; to?: Date };
  position: number;
  published: boolean;
  ownClassificationMixins?: ClassificationMixin[];
  mixins: Record<string, unknown>;
  metadataMixins?: Record<string, string>;
}

/**
 * A category as stored in `<tenant>_categories` (no tenant field, TEN-3): its content (the schema
 * links inside `metadata`) plus the id and the hierarchy. `parentId` is the authoritative
 * hierarchy; `ancestorIds` (root first, self excluded) and `depth` (= ancestorIds.length) are its
 * materialisation, kept current by every hierarchy write and rebuilt from `parentId` by op 24.
 */
export interface CategoryRecord extends Omit<CategoryContent, 'metadataMixins'> {
  _id: string;
  ancestorIds: string[];
  depth: number;
  /** Lower-cased `code` for the case-insensitive unique index and the `code=` filter. */
  codeLower?: string;
  metadata: StoredMetadata;
}
