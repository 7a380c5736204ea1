import { Body, Controller, Delete, Get, Headers, Param, Post, Put, Query, Res } from '@nestjs/common';
import { RequireScopes } from '@suite/auth';
import type { FastifyReply } from 'fastify';
import { send } from '../common/http-result';
import { ReadAs } from '../common/reader';
import { Ctx, RequestCtx } from '../common/request-context';
import { MANAGE, READ, READ_OWN } from '../customer-segment.scopes';
import { CategoryTreesService } from './category-trees.service';
import { SegmentItemsService } from './segment-items.service';

type QueryParams = Record<string, string | undefined>;

/** Item assignments across segments and category trees, operations 22–23 (segment §3.22, §3.23). */
@Controller('customer-segment/:tenant/segments/items')
export class SegmentItemsAcrossController {
  constructor(
    private readonly items: SegmentItemsService,
    private readonly trees: CategoryTreesService,
  ) {}

  @Get('category-trees')
  @RequireScopes(READ_OWN)
  @ReadAs({ legalEntityId: true, ownOnly: true })
  async categoryTrees(@Ctx() ctx: RequestCtx, @Query() query: QueryParams, @Res() reply: FastifyReply) {
    send(reply, await this.trees.trees(ctx, query));
  }

  @Get()
  @RequireScopes(READ, READ_OWN)
  @ReadAs({ legalEntityId: true })
  async listAcross(@Ctx() ctx: RequestCtx, @Query() query: QueryParams, @Headers('x-total-count') total: string | undefined, @Res() reply: FastifyReply) {
    send(reply, await this.items.listAcross(ctx, query, total));
  }
}

/** Item assignments of one segment, operations 24–30 (segment §3.24–§3.30). `bulk` wins over `{itemId}`. */
@Controller('customer-segment/:tenant/segments/:segmentId/items')
export class SegmentItemsController {
  constructor(private readonly items: SegmentItemsService) {}

  @Get()
  @RequireScopes(READ, READ_OWN)
  @ReadAs({ legalEntityId: true })
  async list(@Ctx() ctx: RequestCtx, @Param('segmentId') segmentId: string, @Query() query: QueryParams, @Headers('x-total-count') total: string | undefined, @Res() reply: FastifyReply) {
    send(reply, await this.items.list(ctx, segmentId, query, total));
  }

  @Post('search')
  @RequireScopes(READ, READ_OWN)
  @ReadAs({ legalEntityId: true })
  async search(@Ctx() ctx: RequestCtx, @Param('segmentId') segmentId: string, @Query() query: QueryParams, @Body() body: unknown, @Headers('x-total-count') total: string | undefined, @Res() reply: FastifyReply) {
    send(reply, await this.items.list(ctx, segmentId, query, total, { body }));
  }

  @Put(':type/bulk')
  @RequireScopes(MANAGE)
  async bulkUpsert(@Ctx() ctx: RequestCtx, @Param('segmentId') segmentId: string, @Param('type') type: string, @Body() body: unknown, @Res() reply: FastifyReply) {
    send(reply, await this.items.bulkUpsert(ctx, segmentId, type, body));
  }

  @Delete(':type/bulk')
  @RequireScopes(MANAGE)
  async bulkDelete(@Ctx() ctx: RequestCtx, @Param('segmentId') segmentId: string, @Param('type') type: string, @Body() body: unknown, @Res() reply: FastifyReply) {
    send(reply, await this.items.bulkDelete(ctx, segmentId, type, body));
  }

  @Get(':type/:itemId')
  @RequireScopes(READ, READ_OWN)
  @ReadAs({ legalEntityId: true })
  async get(@Ctx() ctx: RequestCtx, @Param('segmentId') segmentId: string, @Param('type') type: string, @Param('itemId') itemId: string, @Query() query: QueryParams, @Res() reply: FastifyReply) {
    send(reply, await this.items.get(ctx, segmentId, type, itemId, query));
  }

  @Put(':type/:itemId')
  @RequireScopes(MANAGE)
  async put(@Ctx() ctx: RequestCtx, @Param('segmentId') segmentId: string, @Param('type') type: string, @Param('itemId') itemId: string, @Body() body: unknown, @Res() reply: FastifyReply) {
    send(reply, await this.items.put(ctx, segmentId, type, itemId, body));
  }

  @Delete(':type/:itemId')
  @RequireScopes(MANAGE)
  async delete(@Ctx() ctx: RequestCtx, @Param('segmentId') segmentId: string, @Param('type') type: string, @Param('itemId') itemId: string, @Res() reply: FastifyReply) {
    send(reply, await this.items.delete(ctx, segmentId, type, itemId));
  }
}
