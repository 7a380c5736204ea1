import { validateMixins, validateMixinSchemas } from '../domain/metadata';
import { ValidateDetails } from './validate-details';

/** META-8 `mixins`: mixin name → JSON object, at most 10 levels deep and 512 KiB; problems at `<field>.<name>`. */
export function IsMixins(): PropertyDecorator {
  return ValidateDetails('isMixins', (value, field) => validateMixins(value, field));
}

/** META-9 `metadata.mixins`: mixin name → absolute http(s) schema URL; problems at `<field>.<name>`. */
export function IsMixinSchemas(): PropertyDecorator {
  return ValidateDetails('isMixinSchemas', (value, field) => validateMixinSchemas(value, field));
}
