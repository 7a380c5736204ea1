import type { StoredMetadata } from '@suite/api-kit';

/** The only reference type (§4.6). */
export const PRODUCT = 'PRODUCT';

/** An assignment as stored in `<tenant>_category_assignments` (§4.6, §12). */
export interface AssignmentRecord {
  _id: string;
  categoryId: string;
  ref: { id: string; type: typeof PRODUCT; localizedName: Record<string, string> };
  published: boolean;
  metadata: StoredMetadata;
  /**
   * The category's ancestors, root first, then the category itself: a materialisation kept with
   * the categories' ancestry (README "Assignments under a subtree"), never part of the resource.
   * Absent on assignments written before it existed.
   */
  categoryPath?: string[];
}
