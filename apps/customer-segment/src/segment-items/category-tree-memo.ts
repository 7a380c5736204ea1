import { LanguageSelection } from '@suite/api-kit';
import { CategoryTreeNode } from '../clients/category.client';
import { pruneTrees } from './category-tree';

/** Assigned sets and language selections remembered per decoded answer. */
const MAX_PER_ANSWER = 16;

/**
 * The JSON text of `pruneTrees` of one decoded category answer, remembered per assigned set and
 * language selection, so that the customers of the same segments neither prune nor serialise the
 * same forest again (a storefront tree is hundreds of kilobytes of JSON).
 *
 * Not a cache in the sense of S2S-11: the result is a pure function of its inputs, and the
 * decoded answer is the same object only for a byte-identical answer to this very request
 * (`TreeBodyMemo`), which the category service was asked for again. A changed answer is a new
 * object, under which nothing is remembered yet.
 */
export class PrunedTreeMemo {
  private readonly byAnswer = new WeakMap<readonly CategoryTreeNode[], Map<string, Buffer>>();

  json(roots: readonly CategoryTreeNode[], assigned: readonly string[], languages: LanguageSelection): Buffer {
    const key = `${[...new Set(assigned)].sort().join('\u0000')}\u0001${languages === null ? '*' : languages.join(',')}`;
    let results = this.byAnswer.get(roots);
    if (!results) this.byAnswer.set(roots, (results = new Map()));
    const hit = results.get(key);
    if (hit) return hit;
    const json = Buffer.from(JSON.stringify(pruneTrees(roots, new Set(assigned), languages)));
    if (results.size >= MAX_PER_ANSWER) results.delete(results.keys().next().value as string);
    results.set(key, json);
    return json;
  }
}
