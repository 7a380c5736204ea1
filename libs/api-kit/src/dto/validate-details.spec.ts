import 'reflect-metadata';
import { IsOptional } from 'class-validator';
import { ApiError } from '../errors';
import { renderError } from '../http/error-profiles';
import { validateDto } from '../http/validate-dto';
import { SuiteValidationPipe } from '../http/validation.pipe';
import { IsMixins, IsMixinSchemas } from './mixins';
import { ValidateDetails } from './validate-details';

class TagsDto {
  @IsOptional()
  @ValidateDetails('tagList', (value, field) =>
    Array.isArray(value)
      ? value.flatMap((v, i) =>
          typeof v === 'string' ? [] : [{ field: `${field}[${i}]`, type: 'invalid_type', message: 'must be a string' }],
        )
      : [],
  )
  tags?: unknown;
}

class NestedDto {
  @IsOptional()
  @IsMixins()
  mixins?: unknown;

  @IsOptional()
  @IsMixinSchemas()
  links?: unknown;
}

describe('ValidateDetails: rules that report their own details', () => {
  it('lists each problem at its own path, below the property', () => {
    expect(validateDto(TagsDto, { tags: ['a', 1, 'b', {}] }).details).toEqual([
      { field: 'tags[1]', type: 'invalid_type', message: 'must be a string' },
      { field: 'tags[3]', type: 'invalid_type', message: 'must be a string' },
    ]);
    expect(validateDto(TagsDto, { tags: ['a'] }).details).toEqual([]);
  });

  it('reports mixin problems at mixins.<name> through the pipe, with every other problem', async () => {
    const pipe = new SuiteValidationPipe();
    const failure = await pipe
      .transform({ mixins: { ok: { a: 1 }, bad: 5 }, links: { s: 'ftp://x' } }, { type: 'body', metatype: NestedDto })
      .catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(ApiError);
    expect((failure as ApiError).details).toEqual([
      { field: 'links.s', type: 'invalid_format', message: expect.any(String) },
      { field: 'mixins.bad', type: 'invalid_type', message: 'a mixin must be a JSON object' },
    ]);
    await expect(pipe.transform({ mixins: { ok: { a: 1 } } }, { type: 'body', metatype: NestedDto })).resolves.toMatchObject({
      mixins: { ok: { a: 1 } },
    });
  });
});

describe('coupon wording of the body-level problems (coupon §1.4)', () => {
  it('renders a missing and a non-object body in the coupon texts, other profiles unchanged', async () => {
    const pipe = new SuiteValidationPipe();
    const missing = (await pipe.transform(undefined, { type: 'body', metatype: TagsDto }).catch((e: unknown) => e)) as ApiError;
    const array = (await pipe.transform([1], { type: 'body', metatype: TagsDto }).catch((e: unknown) => e)) as ApiError;
    expect(renderError(missing, 'coupon')).toMatchObject({
      details: [{ type: 'missing_payload', message: 'A request body is required.' }],
    });
    expect(renderError(array, 'coupon')).toMatchObject({
      details: [{ type: 'malformed_payload', message: 'The request body must be a JSON object.' }],
    });
    expect(renderError(missing, 'category')).toMatchObject({ details: ['a request body is required'] });
    const own = ApiError.validation([{ type: 'missing_payload', message: 'The patch must contain at least one property.' }]);
    expect(renderError(own, 'coupon')).toMatchObject({
      details: [{ type: 'missing_payload', message: 'The patch must contain at least one property.' }],
    });
  });
});
