import { Controller, Get, Param } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { Operation, TenantParamsDto } from '@suite/api-kit';
import { RequireScopes } from '@suite/auth';
import { WEBHOOK_SCOPES } from '../webhook.scopes';
import { httpOnly } from './config-errors';

/**
 * Emporix "Svix Emporix Shared Account": the Svix dashboard link. This suite has no Svix account to
 * log into, so the route answers the same clear 400 as every other Svix request (README "Configs").
 */
@ApiTags('Config')
@Controller('webhook/:tenant/dashboard-access')
export class DashboardAccessController {
  @Get()
  @RequireScopes(WEBHOOK_SCOPES.manage)
  @Operation({
    id: 'getDashboardAccess',
    summary: 'Svix dashboard access: not available (http strategy only)',
    noContent: 'Never answered: the route always refuses with 400.',
    errors: [400],
  })
  refuse(@Param() _params: TenantParamsDto): never {
    throw httpOnly([{ type: 'unsupported_strategy', message: 'the Svix dashboard exists only for the Svix strategies' }]);
  }
}
