import { Body, Controller, Get, Param, Post, Query } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { LOCATION_HEADER, NdjsonBody, Operation, TenantParamsDto } from '@suite/api-kit';
import { Ctx, RequestContext, RequireScopes } from '@suite/auth';
import { IsString } from 'class-validator';
import { ApiProperty } from '@nestjs/swagger';
import { MANAGE, PROFILE_MANAGE, READ } from '../customer-segment.scopes';
import { SegmentCustomersParamsDto } from '../segment-customers/dto/customer-assignment-params.dto';
import { MemberExportQueryDto } from './dto/export.dto';
import { CreateImportDto, ImportLinesQueryDto, ImportResponseDto } from './dto/import.dto';
import { ImportsService, MAX_LINES_PER_PART } from './imports.service';
import { MemberExport } from './member-export.service';

class ImportParamsDto extends TenantParamsDto {
  @ApiProperty({ description: 'The import’s id.' })
  @IsString()
  importId!: string;
}

/** Bulk in and out, a suite extension (README "Bulk in and out"). */
@ApiTags('Bulk in and out')
@Controller('customer-segment/:tenant')
export class BulkIoController {
  constructor(
    private readonly exporter: MemberExport,
    private readonly imports: ImportsService,
  ) {}

  @Get('segments/:segmentId/member-export')
  @RequireScopes(READ, MANAGE)
  @Operation({
    id: 'exportSegmentMembers',
    summary: 'Stream a segment’s members out as NDJSON or CSV',
    ok: {
      description: 'The members in identity order, streamed; resume a broken download with `after`.',
      content: {
        'application/x-ndjson': { schema: { type: 'string', example: '{"customerId":"c-1","assignmentType":"MANUAL","createdAt":"…"}\n' } },
        'text/csv': { schema: { type: 'string', example: 'customerId,legalEntityId,assignmentType,createdAt\nc-1,,MANUAL,…\n' } },
      },
    },
    errors: [400, 404],
  })
  export(@Ctx() ctx: RequestContext, @Param() params: SegmentCustomersParamsDto, @Query() query: MemberExportQueryDto) {
    return this.exporter.export(ctx, params.segmentId, query);
  }

  @Post('imports')
  @RequireScopes(MANAGE, PROFILE_MANAGE)
  @Operation({
    id: 'createImport',
    summary: 'Start an import of profiles, or of one segment’s members',
    body: { type: CreateImportDto },
    created: { type: ImportResponseDto, headers: LOCATION_HEADER, description: 'The import, waiting for its lines.' },
    errors: [400, 404, 413, 415],
  })
  create(@Ctx() ctx: RequestContext, @Param() _params: TenantParamsDto, @Body() body: CreateImportDto) {
    return this.imports.create(ctx, body);
  }

  @Get('imports/:importId')
  @RequireScopes(MANAGE, PROFILE_MANAGE)
  @Operation({
    id: 'getImport',
    summary: 'How far an import got',
    ok: { type: ImportResponseDto, description: 'The import.' },
    errors: [400, 404],
  })
  get(@Ctx() ctx: RequestContext, @Param() params: ImportParamsDto) {
    return this.imports.get(ctx, params.importId);
  }

  @Post('imports/:importId/lines')
  @RequireScopes(MANAGE, PROFILE_MANAGE)
  @NdjsonBody({ maxLines: MAX_LINES_PER_PART })
  @Operation({
    id: 'sendImportLines',
    summary: 'Send a part of an import’s NDJSON lines; one result per line',
    ok: {
      description: 'NDJSON: `{"line", "code", "status", "message"?}` per line sent, in order; `208` for a line applied before.',
      content: { 'application/x-ndjson': { schema: { type: 'string', example: '{"line":1,"code":201,"status":"Created"}\n' } } },
    },
    errors: [400, 404, 413, 415],
  })
  lines(@Ctx() ctx: RequestContext, @Param() params: ImportParamsDto, @Query() query: ImportLinesQueryDto, @Body() body: string[]) {
    return this.imports.lines(ctx, params.importId, query.from, body ?? []);
  }
}
