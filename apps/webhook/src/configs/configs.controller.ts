import { Body, Controller, Delete, Get, Param, Patch, Post, Put, Query } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { location, Operation, TenantParamsDto } from '@suite/api-kit';
import { Ctx, RequestContext, RequireScopes } from '@suite/auth';
import { WEBHOOK_SCOPES } from '../webhook.scopes';
import { createConfigRule, patchConfigRule, replaceConfigRule } from './config-request.rules';
import { ConfigsService } from './configs.service';
import { ConfigParamsDto, DeleteConfigQueryDto } from './dto/config-params.dto';
import { ConfigResponseDto, CreatedConfigResponseDto } from './dto/config.response.dto';
import { PatchConfigOperationDto } from './dto/patch-config.dto';
import { CreateConfigDto, ReplaceConfigDto } from './dto/write-config.dto';

const { manage, read } = WEBHOOK_SCOPES;

/** Emporix "Config" (README "Configs"): the tenant's webhook config, `http` strategy only. */
@ApiTags('Config')
@Controller('webhook/:tenant/config')
export class ConfigsController {
  constructor(private readonly configs: ConfigsService) {}

  @Post()
  @RequireScopes(manage)
  @Operation({
    id: 'createConfig',
    summary: 'Create the webhook config of the tenant (http strategy)',
    created: { type: CreatedConfigResponseDto, description: 'Created.', headers: location('The URL of the config.') },
    errors: [400, 409, 413, 415],
    validate: { rules: [createConfigRule] },
  })
  create(@Ctx() ctx: RequestContext, @Param() _params: TenantParamsDto, @Body() body: CreateConfigDto) {
    return this.configs.create(ctx, body);
  }

  @Get()
  @RequireScopes(manage, read)
  @Operation({
    id: 'listConfigs',
    summary: 'List the webhook configs of the tenant (at most the http one)',
    ok: { type: ConfigResponseDto, isArray: true, description: 'The configs, without secrets.' },
  })
  list(@Ctx() ctx: RequestContext, @Param() _params: TenantParamsDto) {
    return this.configs.list(ctx);
  }

  @Get(':code')
  @RequireScopes(manage, read)
  @Operation({
    id: 'getConfig',
    summary: 'Read a webhook config',
    ok: { type: ConfigResponseDto, description: 'The config, without secrets.' },
    errors: [404],
  })
  get(@Ctx() ctx: RequestContext, @Param() params: ConfigParamsDto) {
    return this.configs.get(ctx, params.code);
  }

  @Put(':code')
  @RequireScopes(manage)
  @Operation({
    id: 'replaceConfig',
    summary: 'Replace a webhook config',
    noContent: 'Replaced.',
    errors: [400, 404, 409, 413, 415],
    validate: { rules: [replaceConfigRule] },
  })
  replace(@Ctx() ctx: RequestContext, @Param() params: ConfigParamsDto, @Body() body: ReplaceConfigDto) {
    return this.configs.replace(ctx, params.code, body);
  }

  @Patch(':code')
  @RequireScopes(manage)
  @Operation({
    id: 'patchConfig',
    summary: 'Change parts of a webhook config (all operations or none)',
    body: { type: PatchConfigOperationDto, isArray: true, description: 'UPSERT/REMOVE operations, applied in order and atomically.' },
    noContent: 'Updated.',
    errors: [400, 404, 409, 413, 415],
    validate: { rules: [patchConfigRule] },
  })
  patch(@Ctx() ctx: RequestContext, @Param() params: ConfigParamsDto, @Body() body: PatchConfigOperationDto[]) {
    return this.configs.patch(ctx, params.code, body);
  }

  @Delete(':code')
  @RequireScopes(manage)
  @Operation.deleted('deleteConfig', 'Delete a webhook config', {
    noContent: 'Deleted (or there was none).',
    errors: [400],
  })
  delete(@Ctx() ctx: RequestContext, @Param() params: ConfigParamsDto, @Query() query: DeleteConfigQueryDto) {
    return this.configs.delete(ctx, params.code, query.force ?? false);
  }
}
