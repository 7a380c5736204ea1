import { isPlainObject, RequestRule } from '@suite/api-kit';
import { contentLanguageRule, localizedMapsRule } from '../common/request-rules';
import { CATEGORY_MAPS } from './category-content';

/**
 * §4.2: a `publish` parameter must equal the body's `published`. An unreadable `publish` is the
 * query DTO's problem and is not compared.
 */
export const publishMatchesBodyRule: RequestRule = ({ query, body }) => {
  const raw = typeof query.publish === 'string' ? query.publish.toLowerCase() : undefined;
  if ((raw !== 'true' && raw !== 'false') || !isPlainObject(body)) return [];
  if (body.published === (raw === 'true')) return [];
  return [{ field: 'publish', type: 'invalid_value', message: 'must equal the published value of the body' }];
};

/** §4.2: a PUT body's `id`, when sent, is the path id. */
export const bodyIdIsPathIdRule: RequestRule = ({ params, body }) => {
  if (!isPlainObject(body) || body.id === undefined || body.id === null || body.id === params.categoryId) return [];
  return [{ field: 'id', type: 'invalid_value', message: 'must equal the id in the path' }];
};

/** The request rules of POST and PUT (LOC-4 keys, `publish`). */
export const CATEGORY_WRITE_RULES: readonly RequestRule[] = [contentLanguageRule, localizedMapsRule(CATEGORY_MAPS), publishMatchesBodyRule];

/** The request rules of the merge PATCH (`null` removes a translation). */
export const CATEGORY_PATCH_RULES: readonly RequestRule[] = [
  contentLanguageRule,
  localizedMapsRule(CATEGORY_MAPS, { allowNull: true }),
  publishMatchesBodyRule,
];
