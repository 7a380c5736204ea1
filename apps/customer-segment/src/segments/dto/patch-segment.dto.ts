import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

/**
 * One operation of the JSON Patch body of `PATCH /segments/{segmentId}` (segment §3.6, META-6).
 * The body is an array, judged as a whole by `validateJsonPatch` and the segment's path rules
 * (segment-patch.ts); its result is validated as a full segment.
 */
export class PatchSegmentOperationDto {
  @ApiProperty({
    enum: ['add', 'remove', 'replace', 'test'],
    description: '`test` only on `/metadata/version` (the version precondition).',
  })
  op!: 'add' | 'remove' | 'replace' | 'test';

  @ApiProperty({
    description:
      'JSON Pointer of a patchable field: /name[/<lang>], /description[/<lang>], ' +
      '/status, /siteCode, /validity[/from|/to], /mixins/..., /metadata/mixins/...',
    example: '/status',
  })
  path!: string;

  @ApiPropertyOptional({ description: 'The new value (add, replace) or the expected version (test).', example: 'INACTIVE' })
  value?: unknown;
}
