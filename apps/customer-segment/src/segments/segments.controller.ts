import { Body, Controller, Delete, Get, Headers, Param, Patch, Post, Put, Query, Res } from '@nestjs/common';
import { RequireScopes } from '@suite/auth';
import type { FastifyReply } from 'fastify';
import { send } from '../common/http-result';
import { ReadAs } from '../common/reader';
import { Ctx, RequestCtx } from '../common/request-context';
import { MANAGE, READ, READ_OWN } from '../customer-segment.scopes';
import { SegmentMatchService } from './segment-match.service';
import { SegmentsBulkService } from './segments-bulk.service';
import { SegmentQuery, SegmentsService } from './segments.service';

/** Segment operations 1–11 (segment §3.1–§3.11). Literal paths win over `{segmentId}` (ID-3). */
@Controller('customer-segment/:tenant/segments')
export class SegmentsController {
  constructor(
    private readonly segments: SegmentsService,
    private readonly bulk: SegmentsBulkService,
    private readonly matcher: SegmentMatchService,
  ) {}

  @Post()
  @RequireScopes(MANAGE)
  async create(@Ctx() ctx: RequestCtx, @Body() body: unknown, @Res() reply: FastifyReply) {
    send(reply, await this.segments.create(ctx, body));
  }

  @Get()
  @RequireScopes(READ, READ_OWN)
  @ReadAs({ customerId: true, legalEntityId: true })
  async list(@Ctx() ctx: RequestCtx, @Query() query: SegmentQuery, @Headers('x-total-count') total: string | undefined, @Res() reply: FastifyReply) {
    send(reply, await this.segments.list(ctx, query, total));
  }

  @Post('search')
  @RequireScopes(READ, READ_OWN)
  @ReadAs({ customerId: true, legalEntityId: true })
  async search(@Ctx() ctx: RequestCtx, @Query() query: SegmentQuery, @Body() body: unknown, @Headers('x-total-count') total: string | undefined, @Res() reply: FastifyReply) {
    send(reply, await this.segments.list(ctx, query, total, { body }));
  }

  @Post('bulk')
  @RequireScopes(MANAGE)
  async bulkCreate(@Ctx() ctx: RequestCtx, @Body() body: unknown, @Res() reply: FastifyReply) {
    send(reply, await this.bulk.create(ctx, body));
  }

  @Put('bulk')
  @RequireScopes(MANAGE)
  async bulkUpsert(@Ctx() ctx: RequestCtx, @Body() body: unknown, @Res() reply: FastifyReply) {
    send(reply, await this.bulk.upsert(ctx, body));
  }

  @Delete('bulk')
  @RequireScopes(MANAGE)
  async bulkDelete(@Ctx() ctx: RequestCtx, @Body() body: unknown, @Query('forceDelete') force: string | undefined, @Res() reply: FastifyReply) {
    send(reply, await this.bulk.delete(ctx, body, force));
  }

  @Post('match')
  @RequireScopes(MANAGE)
  async match(@Ctx() ctx: RequestCtx, @Body() body: unknown, @Res() reply: FastifyReply) {
    send(reply, await this.matcher.match(ctx, body));
  }

  @Get(':segmentId')
  @RequireScopes(READ, READ_OWN)
  @ReadAs({ legalEntityId: true })
  async get(@Ctx() ctx: RequestCtx, @Param('segmentId') id: string, @Query() query: SegmentQuery, @Res() reply: FastifyReply) {
    send(reply, await this.segments.get(ctx, id, query));
  }

  @Put(':segmentId')
  @RequireScopes(MANAGE)
  async put(@Ctx() ctx: RequestCtx, @Param('segmentId') id: string, @Body() body: unknown, @Res() reply: FastifyReply) {
    send(reply, await this.segments.put(ctx, id, body));
  }

  @Patch(':segmentId')
  @RequireScopes(MANAGE)
  async patch(@Ctx() ctx: RequestCtx, @Param('segmentId') id: string, @Body() body: unknown, @Res() reply: FastifyReply) {
    send(reply, await this.segments.patch(ctx, id, body));
  }

  @Delete(':segmentId')
  @RequireScopes(MANAGE)
  async delete(@Ctx() ctx: RequestCtx, @Param('segmentId') id: string, @Query('forceDelete') force: string | undefined, @Res() reply: FastifyReply) {
    send(reply, await this.segments.delete(ctx, id, force));
  }
}
