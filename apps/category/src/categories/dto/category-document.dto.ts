import { ApiError, validateDto } from '@suite/api-kit';
import { Allow, ArrayMaxSize, IsNotEmptyObject, ValidateBy, ValidateIf } from 'class-validator';
import { IsNonBlankString } from '../../common/dto/body-values';
import { CONSTRAINT_MESSAGE } from '../../common/category.errors';
import type { CategoryContent, CategoryType } from '../category.types';

/**
 * What a category must satisfy as a whole after any write (§4.2, §4.4): at least one name, a code
 * for CLASSIFICATION, own classification mixins only on CLASSIFICATION, `validity.from` not after
 * `validity.to`. A PUT may keep the stored type and a PATCH is merged onto the stored category, so
 * these rules are judged on the resulting content with `validateDto` ({@link checkCategoryDocument}).
 */
export class CategoryDocumentDto {
  @Allow()
  type!: CategoryType;

  @IsNotEmptyObject({}, { message: 'must contain at least one translation' })
  localizedName!: Record<string, string>;

  @ValidateIf((o: CategoryDocumentDto) => o.type === 'CLASSIFICATION')
  @IsNonBlankString('is required for CLASSIFICATION categories', { context: { type: 'missing_value' } })
  code?: string;

  @ValidateIf((o: CategoryDocumentDto) => o.type !== 'CLASSIFICATION' && o.ownClassificationMixins !== undefined)
  @ArrayMaxSize(0, { message: 'only CLASSIFICATION categories may have classification mixins', context: { type: 'invalid_value' } })
  ownClassificationMixins?: unknown[];

  /** Epoch milliseconds (the stored dates, as numbers for the check). */
  @ValidateBy(
    {
      name: 'validityOrder',
      validator: {
        validate: (v: unknown) => {
          const { from, to } = (v ?? {}) as { from?: number; to?: number };
          return from === undefined || to === undefined || from <= to;
        },
        defaultMessage: () => 'from must not be after to',
      },
    },
    { context: { type: 'invalid_value' } },
  )
  validity?: { from?: number; to?: number };
}

/** The §4.2/§4.4 rules on the content a write would store; `400 Constraint validation failed` with every problem. */
export function checkCategoryDocument(content: CategoryContent): void {
  const document = {
    type: content.type,
    localizedName: content.localizedName,
    code: content.code,
    ownClassificationMixins: content.ownClassificationMixins,
    validity: content.validity ? { from: content.validity.from?.getTime(), to: content.validity.to?.getTime() } : undefined,
  };
  const { details } = validateDto(CategoryDocumentDto, document);
  if (details.length) throw ApiError.validation(details, CONSTRAINT_MESSAGE);
}
