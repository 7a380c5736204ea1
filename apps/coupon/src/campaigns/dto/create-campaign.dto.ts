import { ApiProperty, ApiPropertyOptional, OmitType } from '@nestjs/swagger';
import { ErrorDetail, isPlainObject, validateDto, ValidateDetails } from '@suite/api-kit';
import { Type } from 'class-transformer';
import { IsDefined, IsInt, IsOptional, IsString, Matches, Max, MaxLength, Min, ValidateNested } from 'class-validator';
import { Rule } from '../../common/dto-rules';
import { CouponDocumentDto } from '../../coupons/dto/create-coupon.dto';
import {
  AFFIX_PATTERN,
  ALPHABET_PATTERN,
  codeSpace,
  DEFAULT_ALPHABET,
  MAX_CODE_LENGTH,
  MAX_COUNT,
  MAX_LENGTH,
  MIN_LENGTH,
  SPACE_FACTOR,
} from '../campaign-codes';
import type { CodePattern } from '../campaign.types';

/**
 * The coupon every code of a campaign gets: a coupon create body (§6.2) under the same rules,
 * without `code` (the campaign makes the codes) and `issuedTo` (one customer for every code means
 * nothing; a single coupon can be issued later with PATCH). Both are refused, not dropped, so a
 * client never believes it set them. Validated with `validateDto` ({@link templateProblems}).
 */
export class CampaignTemplateRules extends CouponDocumentDto {
  @Rule(
    'templateCode',
    'invalid_value',
    (v) => v !== undefined && v !== null,
    'a template has no code: the campaign makes the codes from codePattern',
  )
  code?: unknown;

  @Rule(
    'templateIssuedTo',
    'invalid_value',
    (v) => v !== undefined && v !== null && v !== '',
    'a template has no issuedTo: issue a single campaign coupon with PATCH',
  )
  override issuedTo?: string | null = undefined;
}

/**
 * The template as the OpenAPI document shows it (documentation only, never validated: the rules
 * are {@link CampaignTemplateRules}); a mapped type would copy the `restrictions` default with the
 * wrong owner, so it does not validate.
 */
export class CampaignTemplateDto extends OmitType(CouponDocumentDto, ['issuedTo'] as const) {}

/** Every problem of a template, at `template.<field>` (ERR-6), judged by the create rules with `validateDto`. */
export function templateProblems(value: unknown, field: string): ErrorDetail[] {
  if (!isPlainObject(value)) return [{ field, type: 'invalid_type', message: `${field} must be an object` }];
  return validateDto(CampaignTemplateRules, value).details.map((d) => ({ ...d, field: d.field ? `${field}.${d.field}` : field }));
}

function Affix(name: 'prefix' | 'suffix'): PropertyDecorator {
  const decorators = [
    IsOptional(),
    IsString({ message: `codePattern.${name} must be a string` }),
    Matches(AFFIX_PATTERN, { message: `codePattern.${name} must match ${AFFIX_PATTERN.source}` }),
  ];
  return (target, property) => decorators.forEach((decorate) => decorate(target, property));
}

const LENGTH_MESSAGE = `codePattern.length must be an integer from ${MIN_LENGTH} to ${MAX_LENGTH}`;

/** `codePattern` (README "Code campaigns"). */
export class CodePatternDto {
  @ApiPropertyOptional({
    type: String,
    pattern: AFFIX_PATTERN.source,
    description: 'Put before the random part; upper-cased.',
    example: 'SPRING-',
  })
  @Affix('prefix')
  prefix?: string | null;

  @ApiPropertyOptional({ type: String, pattern: AFFIX_PATTERN.source, description: 'Put after the random part; upper-cased.' })
  @Affix('suffix')
  suffix?: string | null;

  @ApiProperty({ type: 'integer', minimum: MIN_LENGTH, maximum: MAX_LENGTH, description: 'Characters of the random part.', example: 8 })
  @IsDefined({ message: 'codePattern.length is required' })
  @IsInt({ message: LENGTH_MESSAGE })
  @Min(MIN_LENGTH, { message: LENGTH_MESSAGE })
  @Max(MAX_LENGTH, { message: LENGTH_MESSAGE })
  length!: number;

  @ApiPropertyOptional({
    type: String,
    pattern: ALPHABET_PATTERN.source,
    default: DEFAULT_ALPHABET,
    description: 'The characters of the random part: at least 2, each once, from A-Z and 0-9. The default leaves out 0, O, 1 and I.',
  })
  @IsOptional()
  @IsString({ message: 'codePattern.alphabet must be a string' })
  @Matches(ALPHABET_PATTERN, { message: `codePattern.alphabet must match ${ALPHABET_PATTERN.source}` })
  @Rule(
    'alphabetDistinct',
    'invalid_value',
    (v) => typeof v === 'string' && ALPHABET_PATTERN.test(v) && (new Set(v).size !== v.length || v.length < 2),
    'codePattern.alphabet must hold at least 2 characters, each once',
  )
  alphabet?: string | null;
}

/** The pattern a valid `codePattern` stands for (affixes upper-cased, default alphabet); undefined while it breaks a field rule. */
export function codePatternOf(v: unknown): CodePattern | undefined {
  if (!isPlainObject(v)) return undefined;
  const { prefix, suffix, length, alphabet } = v;
  const affixOk = (a: unknown) => a === undefined || a === null || (typeof a === 'string' && AFFIX_PATTERN.test(a));
  if (!affixOk(prefix) || !affixOk(suffix)) return undefined;
  if (typeof length !== 'number' || !Number.isInteger(length) || length < MIN_LENGTH || length > MAX_LENGTH) return undefined;
  const chars = alphabet ?? DEFAULT_ALPHABET;
  if (typeof chars !== 'string' || !ALPHABET_PATTERN.test(chars) || chars.length < 2 || new Set(chars).size !== chars.length)
    return undefined;
  return {
    prefix: ((prefix as string | null) ?? '').toUpperCase(),
    suffix: ((suffix as string | null) ?? '').toUpperCase(),
    length,
    alphabet: chars,
  };
}

function validCount(v: unknown): v is number {
  return typeof v === 'number' && Number.isInteger(v) && v >= 1 && v <= MAX_COUNT;
}

const COUNT_MESSAGE = `count must be an integer from 1 to ${MAX_COUNT}`;

function spaceMessage(v: unknown, o: Record<string, unknown>): string {
  const pattern = codePatternOf(v)!;
  const count = o.count as number;
  return (
    `codePattern makes only ${codeSpace(pattern).toLocaleString('en-US')} codes; ${count} coupons need at least ` +
    `${(count * SPACE_FACTOR).toLocaleString('en-US')} (${SPACE_FACTOR} × count): use a longer length or a larger alphabet`
  );
}

/** The body of `POST /coupon-campaigns`. */
export class CreateCampaignDto {
  @ApiPropertyOptional({ type: String, maxLength: 150, description: 'A name for people; not unique.', example: 'Spring mailing 2025' })
  @IsOptional()
  @IsString({ message: 'name must be a string' })
  @MaxLength(150, { message: 'name must have at most 150 characters' })
  @Rule('campaignNameNotBlank', 'invalid_value', (v) => typeof v === 'string' && v.trim() === '', 'name must not be blank')
  name?: string | null;

  @ApiProperty({ type: 'integer', minimum: 1, maximum: MAX_COUNT, description: 'How many coupons (codes) to make.', example: 10000 })
  @IsDefined({ message: 'count is required' })
  @IsInt({ message: COUNT_MESSAGE })
  @Min(1, { message: COUNT_MESSAGE })
  @Max(MAX_COUNT, { message: COUNT_MESSAGE })
  count!: number;

  @ApiProperty({ type: () => CodePatternDto })
  @IsDefined({ message: 'codePattern is required' })
  @Rule('codePatternObject', 'invalid_type', (v) => !isPlainObject(v), 'codePattern must be an object')
  @ValidateNested()
  @Type(() => CodePatternDto)
  @Rule(
    'codeLength',
    'invalid_value',
    (v) => {
      const p = codePatternOf(v);
      return p !== undefined && p.prefix.length + p.length + p.suffix.length > MAX_CODE_LENGTH;
    },
    `codePattern makes codes longer than ${MAX_CODE_LENGTH} characters (prefix + length + suffix, §4.2)`,
  )
  @Rule(
    'codeSpace',
    'conflicting_values',
    (v, o) => {
      const p = codePatternOf(v);
      return p !== undefined && validCount(o.count) && codeSpace(p) < o.count * SPACE_FACTOR;
    },
    spaceMessage,
  )
  codePattern!: CodePatternDto;

  @ApiProperty({
    type: () => CampaignTemplateDto,
    description: 'The coupon every code gets: a create body (§6.2) without code and issuedTo.',
  })
  @IsDefined({ message: 'template is required' })
  @ValidateDetails('couponTemplate', templateProblems)
  template!: Record<string, unknown>;
}
