import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsMixins, NestedObject } from '@suite/api-kit';
import { IsOptional } from 'class-validator';
import type { AssignmentWrite } from '../assignment.types';
import { MetadataInputDto } from './metadata-input.dto';

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

  @NestedObject(() => MetadataInputDto, { message: 'metadata must be an object' })
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
