// Paging, sorting, field projection and the `q` language (conventions §4, §5).
export * from './field-registry';
export * from './field-condition';
export * from './filter';
export * from './query-error';
export { parseQ, exceedsCodePoints } from './q-parser';
export type { QClauseNode, QTermNode, QGroupNode, QValueNode, QScalarNode, QComparisonNode, QParseLimits } from './q-parser';
export * from './compile-q';
export * from './search-body';
export { checkRegex, findCatastrophicConstruct } from './regex-pattern';
export type { CheckedRegex } from './regex-pattern';
export { parseJsonNumber, parseIsoDate } from './scalar-values';
export * from './paging';
export * from './sort';
export * from './fields';
