import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

/**
 * One operation of `PATCH /webhook/{tenant}/config/{code}` (Emporix WebhookConfigPartialUpdate).
 * The body is an array of them, judged as a whole by the patch rule (config-patch.ts): every
 * problem of every operation is reported at once, and either all operations apply or none.
 */
export class PatchConfigOperationDto {
  @ApiProperty({ enum: ['UPSERT', 'REMOVE'] })
  op!: 'UPSERT' | 'REMOVE';

  @ApiProperty({
    description:
      '/active, /configuration, /configuration/http/{headers|destinationUrl|secretKey|eventsConfiguration}, ' +
      '/configuration/http/eventsConfiguration/{eventType}[/destinationUrl|/secretKey|/headers], ' +
      '/configuration/http/eventsConfigurationEntry (UPSERT only: creates an entry), ' +
      '/configuration/http/eventsConfigurationEntry/{entryId}[/destinationUrl|/secretKey|/headers|/filter|/excludedFields|/name|/active].',
    example: '/configuration/http/destinationUrl',
  })
  path!: string;

  @ApiPropertyOptional({ description: 'Required for UPSERT: the value for the path.', example: 'https://erp.example.com/hooks' })
  value?: unknown;
}
