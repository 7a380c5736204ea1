import { Body, Controller, Delete, Get, HttpCode, Param, Post, Put, Query, Res, UseFilters, UseGuards } from '@nestjs/common';
import { Auth, AuthContext, Authenticated, RequireScopes } from '@suite/auth';
import type { FastifyReply } from 'fastify';
import { CATEGORY_SCOPES } from '../category.scopes';
import { CategoryExceptionFilter, created, ShowUnpublishedGuard, withTotal } from '../shared/http';
import { Meta, RequestMeta } from '../shared/request-meta';
import { AssignmentsService } from './assignments.service';

type Q = Record<string, unknown>;

/** Ops 11–20 (category §7). */
@Controller('category/:tenant')
@UseFilters(CategoryExceptionFilter)
export class AssignmentsController {
  constructor(private readonly assignments: AssignmentsService) {}

  @Get('categories/:categoryId/assignments')
  @Authenticated()
  @UseGuards(ShowUnpublishedGuard)
  async list(@Auth() auth: AuthContext, @Meta() meta: RequestMeta, @Param('categoryId') id: string, @Query() query: Q, @Res({ passthrough: true }) reply: FastifyReply) {
    return withTotal(reply, await this.assignments.list(auth, meta, id, query));
  }

  @Post('categories/:categoryId/assignments')
  @RequireScopes(CATEGORY_SCOPES.manage)
  async create(@Auth() auth: AuthContext, @Meta() meta: RequestMeta, @Param('categoryId') id: string, @Body() body: unknown, @Res({ passthrough: true }) reply: FastifyReply) {
    const assignmentId = await this.assignments.create(auth, meta, id, body);
    return created(reply, `/category/${auth.tenant}/categories/${encodeURIComponent(id)}/assignments/${assignmentId}`, assignmentId);
  }

  @Delete('categories/:categoryId/assignments')
  @HttpCode(204)
  @RequireScopes(CATEGORY_SCOPES.manage)
  async deleteAll(@Auth() auth: AuthContext, @Meta() meta: RequestMeta, @Param('categoryId') id: string, @Query() query: Q) {
    await this.assignments.deleteAll(auth, meta, id, query);
  }

  @Post('categories/:categoryId/assignments/bulk')
  @HttpCode(207)
  @RequireScopes(CATEGORY_SCOPES.manage)
  bulkCreate(@Auth() auth: AuthContext, @Meta() meta: RequestMeta, @Param('categoryId') id: string, @Body() body: unknown) {
    return this.assignments.bulkCreate(auth, meta, id, body);
  }

  /** A literal segment: wins over `references/:referenceId` (ID-3). */
  @Put('categories/:categoryId/assignments/references/bulk')
  @HttpCode(207)
  @RequireScopes(CATEGORY_SCOPES.manage)
  bulkUpsert(@Auth() auth: AuthContext, @Meta() meta: RequestMeta, @Param('categoryId') id: string, @Body() body: unknown) {
    return this.assignments.bulkUpsert(auth, meta, id, body);
  }

  @Put('categories/:categoryId/assignments/references/:referenceId')
  @RequireScopes(CATEGORY_SCOPES.manage)
  async upsertByRef(
    @Auth() auth: AuthContext,
    @Meta() meta: RequestMeta,
    @Param('categoryId') id: string,
    @Param('referenceId') refId: string,
    @Body() body: unknown,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    const assignmentId = await this.assignments.upsertByRef(auth, meta, id, refId, body);
    if (assignmentId) return created(reply, `/category/${auth.tenant}/categories/${encodeURIComponent(id)}/assignments/${assignmentId}`, assignmentId);
    reply.status(204);
    return undefined;
  }

  @Delete('categories/:categoryId/assignments/references/:referenceId')
  @HttpCode(204)
  @RequireScopes(CATEGORY_SCOPES.manage)
  async deleteByRef(@Auth() auth: AuthContext, @Meta() meta: RequestMeta, @Param('categoryId') id: string, @Param('referenceId') refId: string) {
    await this.assignments.deleteByRef(auth, meta, id, refId);
  }

  @Delete('categories/:categoryId/assignments/:assignmentId')
  @HttpCode(204)
  @RequireScopes(CATEGORY_SCOPES.manage)
  async deleteById(@Auth() auth: AuthContext, @Meta() meta: RequestMeta, @Param('categoryId') id: string, @Param('assignmentId') assignmentId: string) {
    await this.assignments.deleteById(auth, meta, id, assignmentId);
  }

  @Get('assignments/references/:referenceId')
  @Authenticated()
  @UseGuards(ShowUnpublishedGuard)
  async categoriesOfRef(@Auth() auth: AuthContext, @Meta() meta: RequestMeta, @Param('referenceId') refId: string, @Query() query: Q, @Res({ passthrough: true }) reply: FastifyReply) {
    return withTotal(reply, await this.assignments.categoriesOfRef(auth, meta, refId, query));
  }

  @Delete('assignments/references/:referenceId')
  @HttpCode(204)
  @RequireScopes(CATEGORY_SCOPES.manage)
  async deleteRef(@Auth() auth: AuthContext, @Meta() meta: RequestMeta, @Param('referenceId') refId: string) {
    await this.assignments.deleteRef(auth, meta, refId);
  }
}
