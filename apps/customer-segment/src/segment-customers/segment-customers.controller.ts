import { Body, Controller, Delete, Get, Headers, Param, Post, Put, Query, Res } from '@nestjs/common';
import { RequireScopes } from '@suite/auth';
import type { FastifyReply } from 'fastify';
import { send } from '../common/http-result';
import { ReadAs } from '../common/reader';
import { Ctx, RequestCtx } from '../common/request-context';
import { MANAGE, READ, READ_OWN } from '../customer-segment.scopes';
import { SegmentCustomersService } from './segment-customers.service';

type QueryParams = Record<string, string | undefined>;

/** Customer assignments, operations 12–21 (segment §3.12–§3.21). `bulk` wins over `{customerId}`. */
@Controller('customer-segment/:tenant/segments/:segmentId/customers')
export class SegmentCustomersController {
  constructor(private readonly customers: SegmentCustomersService) {}

  @Get()
  @RequireScopes(READ, READ_OWN)
  @ReadAs()
  async list(@Ctx() ctx: RequestCtx, @Param('segmentId') segmentId: string, @Query() query: QueryParams, @Headers('x-total-count') total: string | undefined, @Res() reply: FastifyReply) {
    send(reply, await this.customers.list(ctx, segmentId, query, total));
  }

  @Post('search')
  @RequireScopes(READ)
  async search(@Ctx() ctx: RequestCtx, @Param('segmentId') segmentId: string, @Query() query: QueryParams, @Body() body: unknown, @Headers('x-total-count') total: string | undefined, @Res() reply: FastifyReply) {
    send(reply, await this.customers.list(ctx, segmentId, query, total, { body }));
  }

  @Put('bulk')
  @RequireScopes(MANAGE)
  async bulkUpsert(@Ctx() ctx: RequestCtx, @Param('segmentId') segmentId: string, @Body() body: unknown, @Res() reply: FastifyReply) {
    send(reply, await this.customers.bulkUpsert(ctx, segmentId, body));
  }

  @Delete('bulk')
  @RequireScopes(MANAGE)
  async bulkDelete(@Ctx() ctx: RequestCtx, @Param('segmentId') segmentId: string, @Body() body: unknown, @Res() reply: FastifyReply) {
    send(reply, await this.customers.bulkDelete(ctx, segmentId, body));
  }

  @Get(':customerId')
  @RequireScopes(READ)
  async getB2c(@Ctx() ctx: RequestCtx, @Param('segmentId') segmentId: string, @Param('customerId') customerId: string, @Query('fields') fields: string | undefined, @Res() reply: FastifyReply) {
    send(reply, await this.customers.get(ctx, segmentId, customerId, null, fields));
  }

  @Put(':customerId')
  @RequireScopes(MANAGE)
  async putB2c(@Ctx() ctx: RequestCtx, @Param('segmentId') segmentId: string, @Param('customerId') customerId: string, @Body() body: unknown, @Res() reply: FastifyReply) {
    send(reply, await this.customers.put(ctx, segmentId, customerId, null, body));
  }

  @Delete(':customerId')
  @RequireScopes(MANAGE)
  async deleteB2c(@Ctx() ctx: RequestCtx, @Param('segmentId') segmentId: string, @Param('customerId') customerId: string, @Res() reply: FastifyReply) {
    send(reply, await this.customers.delete(ctx, segmentId, customerId, null));
  }

  @Get(':customerId/:legalEntityId')
  @RequireScopes(READ)
  async getB2b(@Ctx() ctx: RequestCtx, @Param('segmentId') segmentId: string, @Param('customerId') customerId: string, @Param('legalEntityId') legalEntityId: string, @Query('fields') fields: string | undefined, @Res() reply: FastifyReply) {
    send(reply, await this.customers.get(ctx, segmentId, customerId, legalEntityId, fields));
  }

  @Put(':customerId/:legalEntityId')
  @RequireScopes(MANAGE)
  async putB2b(@Ctx() ctx: RequestCtx, @Param('segmentId') segmentId: string, @Param('customerId') customerId: string, @Param('legalEntityId') legalEntityId: string, @Body() body: unknown, @Res() reply: FastifyReply) {
    send(reply, await this.customers.put(ctx, segmentId, customerId, legalEntityId, body));
  }

  @Delete(':customerId/:legalEntityId')
  @RequireScopes(MANAGE)
  async deleteB2b(@Ctx() ctx: RequestCtx, @Param('segmentId') segmentId: string, @Param('customerId') customerId: string, @Param('legalEntityId') legalEntityId: string, @Res() reply: FastifyReply) {
    send(reply, await this.customers.delete(ctx, segmentId, customerId, legalEntityId));
  }
}
