import { Body, Controller, Delete, Get, Param, Post, Put } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { LOCATION_HEADER, Operation, TenantParamsDto } from '@suite/api-kit';
import { Ctx, RequestContext, RequireScopes } from '@suite/auth';
import { MULTI_STATUS } from '../common/openapi';
import { PROFILE_MANAGE, PROFILE_READ } from '../customer-segment.scopes';
import { BulkProfileDto, MergeGuestProfileDto, ProfileBodyDto } from './dto/profile-body.dto';
import {
  B2bProfileParamsDto,
  B2bProfileWriteParamsDto,
  GuestProfileParamsDto,
  GuestProfileWriteParamsDto,
  ProfileParamsDto,
  ProfileWriteParamsDto,
  customerProfileKey,
} from './dto/profile-params.dto';
import { ProfileResponseDto } from './dto/profile.response.dto';
import { profileBodyCheck, ProfilesService } from './profiles.service';

const PROFILE = { description: 'The profile.', type: ProfileResponseDto };

/** The replaces of one profile: the body is optional (an empty profile); `201` without a body when new. */
const REPLACE = {
  body: { type: ProfileBodyDto, required: false },
  created: { headers: LOCATION_HEADER, description: 'Created (no body).' },
  noContent: 'Replaced.',
  errors: [400, 409, 413, 415],
  validate: { optionalBody: true, rules: [profileBodyCheck] },
};

/** Shopper profiles, a suite extension (README "Shopper profiles"). `bulk` wins over `{customerId}`. */
@ApiTags('Shopper profiles')
@Controller('customer-segment/:tenant')
export class ProfilesController {
  constructor(private readonly profiles: ProfilesService) {}

  @Put('profiles/bulk')
  @RequireScopes(PROFILE_MANAGE)
  @Operation.bulk('upsertProfilesInBulk', 'Create or replace up to 200 customer or guest profiles', BulkProfileDto, {
    multiStatus: MULTI_STATUS,
  })
  bulkUpsert(@Ctx() ctx: RequestContext, @Param() _params: TenantParamsDto, @Body() body: BulkProfileDto[]) {
    return this.profiles.bulkUpsert(ctx, body);
  }

  @Get('profiles/:customerId')
  @RequireScopes(PROFILE_READ)
  @Operation({ id: 'getProfile', summary: 'Read a B2C customer’s profile', ok: PROFILE, errors: [400, 404] })
  getB2c(@Ctx() ctx: RequestContext, @Param() params: ProfileParamsDto) {
    return this.profiles.get(ctx, customerProfileKey(params));
  }

  @Put('profiles/:customerId')
  @RequireScopes(PROFILE_MANAGE)
  @Operation({ ...REPLACE, id: 'replaceProfile', summary: 'Create or replace a B2C customer’s profile' })
  replaceB2c(@Ctx() ctx: RequestContext, @Param() params: ProfileWriteParamsDto, @Body() body: ProfileBodyDto) {
    return this.profiles.replace(ctx, customerProfileKey(params), body ?? {});
  }

  @Delete('profiles/:customerId')
  @RequireScopes(PROFILE_MANAGE)
  @Operation({
    id: 'deleteProfile',
    summary: 'Delete a B2C customer’s profile',
    noContent: { description: 'Deleted (or there was none).' },
  })
  deleteB2c(@Ctx() ctx: RequestContext, @Param() params: ProfileParamsDto) {
    return this.profiles.delete(ctx, customerProfileKey(params));
  }

  @Get('profiles/:customerId/:legalEntityId')
  @RequireScopes(PROFILE_READ)
  @Operation({ id: 'getB2bProfile', summary: 'Read a B2B customer’s profile', ok: PROFILE, errors: [400, 404] })
  getB2b(@Ctx() ctx: RequestContext, @Param() params: B2bProfileParamsDto) {
    return this.profiles.get(ctx, customerProfileKey(params));
  }

  @Put('profiles/:customerId/:legalEntityId')
  @RequireScopes(PROFILE_MANAGE)
  @Operation({ ...REPLACE, id: 'replaceB2bProfile', summary: 'Create or replace a B2B customer’s profile' })
  replaceB2b(@Ctx() ctx: RequestContext, @Param() params: B2bProfileWriteParamsDto, @Body() body: ProfileBodyDto) {
    return this.profiles.replace(ctx, customerProfileKey(params), body ?? {});
  }

  @Delete('profiles/:customerId/:legalEntityId')
  @RequireScopes(PROFILE_MANAGE)
  @Operation({
    id: 'deleteB2bProfile',
    summary: 'Delete a B2B customer’s profile',
    noContent: { description: 'Deleted (or there was none).' },
  })
  deleteB2b(@Ctx() ctx: RequestContext, @Param() params: B2bProfileParamsDto) {
    return this.profiles.delete(ctx, customerProfileKey(params));
  }

  @Get('guest-profiles/:sessionId')
  @RequireScopes(PROFILE_READ)
  @Operation({ id: 'getGuestProfile', summary: 'Read a guest’s profile', ok: PROFILE, errors: [400, 404] })
  getGuest(@Ctx() ctx: RequestContext, @Param() params: GuestProfileParamsDto) {
    return this.profiles.get(ctx, { kind: 'guest', sessionId: params.sessionId });
  }

  @Put('guest-profiles/:sessionId')
  @RequireScopes(PROFILE_MANAGE)
  @Operation({ ...REPLACE, id: 'replaceGuestProfile', summary: 'Create or replace a guest’s profile' })
  replaceGuest(@Ctx() ctx: RequestContext, @Param() params: GuestProfileWriteParamsDto, @Body() body: ProfileBodyDto) {
    return this.profiles.replace(ctx, { kind: 'guest', sessionId: params.sessionId }, body ?? {});
  }

  @Delete('guest-profiles/:sessionId')
  @RequireScopes(PROFILE_MANAGE)
  @Operation({ id: 'deleteGuestProfile', summary: 'Delete a guest’s profile', noContent: { description: 'Deleted (or there was none).' } })
  deleteGuest(@Ctx() ctx: RequestContext, @Param() params: GuestProfileParamsDto) {
    return this.profiles.delete(ctx, { kind: 'guest', sessionId: params.sessionId });
  }

  @Post('guest-profiles/:sessionId/merge')
  @RequireScopes(PROFILE_MANAGE)
  @Operation({
    id: 'mergeGuestProfile',
    summary: 'Merge a guest’s profile into the customer it signed in as',
    body: { type: MergeGuestProfileDto },
    ok: { description: 'The customer’s profile after the merge.', type: ProfileResponseDto },
    errors: [400, 404, 409, 413, 415],
    httpCode: 200,
  })
  merge(@Ctx() ctx: RequestContext, @Param() params: GuestProfileWriteParamsDto, @Body() body: MergeGuestProfileDto) {
    return this.profiles.merge(ctx, params.sessionId, body);
  }
}
