import { applyDecorators } from '@nestjs/common';
import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString } from 'class-validator';

/**
 * The `legalEntityId` query parameter of a read: the legal-entity context of the reader (segment
 * §2.4); in OWN mode it must equal the token claim (AUTH-12.2), which the service checks.
 */
export function LegalEntityContext(): PropertyDecorator {
  const description = 'The legal-entity context (segment §2.4); in OWN mode it must equal the token claim (AUTH-12.2).';
  return applyDecorators(ApiPropertyOptional({ description, example: 'le-1' }), IsOptional(), IsString());
}
