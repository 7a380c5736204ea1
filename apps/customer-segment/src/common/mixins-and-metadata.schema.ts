import { Schema } from 'mongoose';

/**
 * `mixins` and `metadata` (META-1, META-8) as every document of this service stores them: the
 * version, the two timestamps and the schema links. Spread into each entity's schema definition;
 * a fresh object each time, as mongoose may keep and change the definition it is given.
 */
export function mixinsAndMetadata() {
  return {
    mixins: { type: Schema.Types.Mixed },
    metadata: {
      version: { type: Number, required: true },
      createdAt: { type: Date, required: true },
      modifiedAt: { type: Date, required: true },
      mixins: { type: Schema.Types.Mixed },
    },
  };
}
