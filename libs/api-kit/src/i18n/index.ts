// Localization (conventions §6): tenant languages, Accept-Language, Content-Language.
export * from './tenant-languages';
export * from './accept-language';
export * from './content-language';
export { isLanguageTag, findLanguage } from './language-tag';
export { refusedLanguageRanges } from './refused-ranges';
