import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsMixins } from '@suite/api-kit';
import { Type } from 'class-transformer';
import { IsObject, IsOptional, ValidateNested } from 'class-validator';
import { MetadataInputDto } from './metadata-input.dto';

/** What an assignment upsert writes: mixins replaced in full (META-10), optional version precondition. */
export interface AssignmentWrite {
  mixins?: Record<string, unknown>;
  metadataMixins?: Record<string, string>;
  expectedVersion?: number;
}

/** Body of the assignment upserts (segment §3.15, §3.27), optional; also the base of their bulk elements. */
export class AssignmentBodyDto {
  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: true,
    nullable: true,
    description: 'Mixins (META-8): mixin name → JSON object; replaced in full by every upsert (META-10).',
    example: { segmentAttributes: { membershipStatus: 'PREMIUM' } },
  })
  @IsOptional()
  @IsMixins()
  mixins?: Record<string, unknown> | null;

  @ApiPropertyOptional({ type: () => MetadataInputDto })
  @IsOptional()
  @IsObject({ message: 'metadata must be an object' })
  @ValidateNested()
  @Type(() => MetadataInputDto)
  metadata?: MetadataInputDto;
}

/** The write of a validated assignment body; `null` mixins or links are none (HTTP-11). */
export function assignmentWrite(body: AssignmentBodyDto): AssignmentWrite {
  const write: AssignmentWrite = {};
  if (body.mixins !== undefined && body.mixins !== null) write.mixins = body.mixins;
  const links = body.metadata?.mixins;
  if (links && Object.keys(links).length) write.metadataMixins = links;
  if (body.metadata?.version !== undefined) write.expectedVersion = body.metadata.version;
  return write;
}
