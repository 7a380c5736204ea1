type WriteFailure = { index: number; code: number };

/**
 * The positions of an unordered bulk write's duplicate-key failures (11000), or undefined when it
 * failed for another reason too (then the outcome of the write is unknown to the caller).
 */
export function duplicateKeyIndexes(e: unknown): number[] | undefined {
  const list = (e as { writeErrors?: WriteFailure[] | WriteFailure } | null)?.writeErrors;
  // The driver gives one write error as an object, several as an array.
  const errors = Array.isArray(list) ? list : list ? [list] : [];
  if (!errors.length || errors.some((w) => w.code !== 11000)) return undefined;
  return errors.map((w) => w.index);
}
