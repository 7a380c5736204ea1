import 'reflect-metadata';
import { IsInt } from 'class-validator';
import { validateDto } from '../http/validate-dto';
import { NestedObject } from './nested-object';

class InnerDto {
  @IsInt({ message: 'must be an integer' })
  version!: number;
}

class BodyDto {
  @NestedObject(() => InnerDto, { message: 'must be an object' })
  optional?: InnerDto;

  @NestedObject(() => InnerDto, { required: true, message: 'must be an object with version' })
  required!: InnerDto;
}

describe('NestedObject: a property holding one nested DTO', () => {
  it('validates the nested object with its own rules, below the property', () => {
    const { value, details } = validateDto(BodyDto, { required: { version: 'x' } });
    expect(details).toEqual([
      expect.objectContaining({ field: 'required.version', message: expect.stringContaining('must be an integer') }),
    ]);
    expect(value.optional).toBeUndefined();
    expect(validateDto(BodyDto, { optional: { version: 1 }, required: { version: 2 } }).value.optional).toBeInstanceOf(InnerDto);
  });

  it('refuses a value that is no object, and an absent one only when required', () => {
    const fields = (plain: object) => validateDto(BodyDto, plain).details.map((d) => d.field);
    expect(fields({ optional: 'x', required: { version: 1 } })).toEqual(['optional']);
    expect(fields({})).toEqual(['required']);
    expect(validateDto(BodyDto, {}).details[0].message).toContain('must be an object with version');
  });
});
