import { RequestRule, selectLanguages } from '@suite/api-kit';
import { requestProblems } from './subscription-change';

/** `Accept-Language` of the catalog read (LOC-3): a header selecting none of the tenant's languages is `400`. */
export const acceptLanguageRule: RequestRule = ({ ctx, languages }) => {
  selectLanguages(ctx.acceptLanguage, languages);
};

/** The whole-request `400` of the subscription PATCH: not an array, or an item without `eventType`. */
export const updateSubscriptionsRule: RequestRule = ({ body }) => requestProblems(body);
