/**
 * The hand-written peers of the suite's hot paths (issue #15): what a developer would write in an
 * afternoon with Nest on Fastify and @nestjs/mongoose, reading the same kind of documents from the
 * same embedded database: no tenancy rules beyond the collection name, no scopes, no validation, no
 * error profile, no observability. The suite's figures are printed next to them, so a ratio says
 * what its safety costs. Started as its own process, like the apps.
 *
 * - `GET /customer-segment/{tenant}/segments/{id}`: without auth, and with an HS256 bearer check
 *   (jose) and the token's tenant compared with the path's.
 * - Segment-restricted coupon validation, as a chain of two processes of this app behind the
 *   suite's gateway, like the suite's coupon and customer-segment apps: `POST
 *   /coupon/{tenant}/coupons/{code}/validation` checks the bearer, reads the coupon and, when it is
 *   segment-restricted, asks `NAIVE_SEGMENT_URL` (the other process) over HTTP which of its segments
 *   the token's customer is an active member of (one membership query, one segment query).
 */
import 'reflect-metadata';
/* eslint-disable no-restricted-imports -- deliberately plain Nest, not the suite's shape: it is the anchor. */
import {
  Body,
  CanActivate,
  Controller,
  ExecutionContext,
  ForbiddenException,
  Get,
  HttpCode,
  Injectable,
  Module,
  NotFoundException,
  Param,
  Post,
  Query,
  Req,
  ServiceUnavailableException,
  UseGuards,
} from '@nestjs/common';
/* eslint-enable no-restricted-imports */
import { NestFactory } from '@nestjs/core';
import { InjectConnection, MongooseModule } from '@nestjs/mongoose';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { jwtVerify } from 'jose';
import { Connection, Model, Schema } from 'mongoose';
import { request } from 'undici';

const SECRET = new TextEncoder().encode(process.env.AUTH_HS256_SECRET ?? '');

@Injectable()
class BearerGuard implements CanActivate {
  async canActivate(context: ExecutionContext): Promise<boolean> {
    const req = context.switchToHttp().getRequest<{ headers: Record<string, string>; params: Record<string, string> }>();
    const token = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
    if (!token) return false;
    try {
      const { payload } = await jwtVerify(token, SECRET, { issuer: process.env.AUTH_ISSUER, audience: process.env.AUTH_AUDIENCE });
      (req as unknown as { claims: Record<string, unknown> }).claims = payload;
      return payload.tenant === req.params.tenant;
    } catch {
      return false;
    }
  }
}

const segmentSchema = new Schema({ _id: String }, { strict: false, versionKey: false });

@Controller()
class SegmentsController {
  private readonly models = new Map<string, Model<Record<string, unknown>>>();
  constructor(@InjectConnection() private readonly connection: Connection) {}

  private model(tenant: string): Model<Record<string, unknown>> {
    let model = this.models.get(tenant);
    if (!model) {
      model = this.connection.model<Record<string, unknown>>(`${tenant}_segments`, segmentSchema, `${tenant}_segments`);
      this.models.set(tenant, model);
    }
    return model;
  }

  private async read(tenant: string, id: string) {
    const doc = await this.model(tenant).findById(id).lean<Record<string, unknown>>().exec();
    if (!doc) throw new NotFoundException();
    const { _id, ...rest } = doc;
    return { id: _id, ...rest };
  }

  @Get('naive/:tenant/segments/:id')
  open(@Param('tenant') tenant: string, @Param('id') id: string) {
    return this.read(tenant, id);
  }

  @Get('naive-auth/:tenant/segments/:id')
  @UseGuards(BearerGuard)
  guarded(@Param('tenant') tenant: string, @Param('id') id: string) {
    return this.read(tenant, id);
  }
}

const loose = new Schema({ _id: String }, { strict: false, versionKey: false });

/** Models of `naive_peer` collections, one per tenant and kind. */
class NaiveModels {
  private readonly models = new Map<string, Model<Record<string, unknown>>>();
  constructor(private readonly connection: Connection) {}

  of(tenant: string, kind: string): Model<Record<string, unknown>> {
    const name = `${tenant}_${kind}`;
    let model = this.models.get(name);
    if (!model) {
      model = this.connection.useDb('naive_peer').model<Record<string, unknown>>(name, loose, name);
      this.models.set(name, model);
    }
    return model;
  }
}

interface NaiveCoupon {
  restrictions?: { segments?: string[] };
  segmentRestricted?: boolean;
  minOrderValue?: number;
}

@Controller()
@UseGuards(BearerGuard)
class NaiveValidationController {
  private readonly models: NaiveModels;
  constructor(@InjectConnection() connection: Connection) {
    this.models = new NaiveModels(connection);
  }

  /** The segment half: which of `ids` the customer is a member of and are active. */
  @Get('naive-segment/:tenant/customers/:customerId/segments')
  async segmentsOf(@Param('tenant') tenant: string, @Param('customerId') customerId: string, @Query('ids') ids = '') {
    const wanted = ids.split(',').filter(Boolean);
    const members = await this.models
      .of(tenant, 'members')
      .find({ customerId, segmentId: { $in: wanted } })
      .lean()
      .exec();
    const segmentIds = members.map((m) => m.segmentId as string);
    if (segmentIds.length === 0) return [];
    const segments = await this.models
      .of(tenant, 'segments')
      .find({ _id: { $in: segmentIds }, status: 'ACTIVE' })
      .lean()
      .exec();
    return segments.map((s) => s._id);
  }

  /** The coupon half: 204 when the coupon may be used, 403 when the customer is in none of its segments. */
  @Post('coupon/:tenant/coupons/:code/validation')
  @HttpCode(204)
  async validate(
    @Param('tenant') tenant: string,
    @Param('code') code: string,
    @Req() req: { headers: Record<string, string>; claims: Record<string, unknown> },
    @Body() body: { orderTotal?: { amount?: number } },
  ) {
    const coupon = await this.models.of(tenant, 'coupons').findById(code).lean<NaiveCoupon>().exec();
    if (!coupon) throw new NotFoundException();
    if ((body.orderTotal?.amount ?? 0) < (coupon.minOrderValue ?? 0)) throw new ForbiddenException('order total too low');
    if (!coupon.segmentRestricted) return;
    const ids = (coupon.restrictions?.segments ?? []).join(',');
    const url = `${process.env.NAIVE_SEGMENT_URL}/naive-segment/${tenant}/customers/${String(req.claims.customerId)}/segments?ids=${ids}`;
    const answer = await request(url, { headers: { authorization: req.headers.authorization } }).catch(() => undefined);
    if (!answer || answer.statusCode !== 200) {
      await answer?.body.dump();
      throw new ServiceUnavailableException();
    }
    const segments = (await answer.body.json()) as string[];
    if (segments.length === 0) throw new ForbiddenException('not in the segments');
  }
}

@Module({
  imports: [MongooseModule.forRoot(process.env.MONGODB_URI ?? '', { dbName: 'customer_segment' })],
  controllers: [SegmentsController, NaiveValidationController],
})
class NaivePeerModule {}

async function main() {
  const app = await NestFactory.create<NestFastifyApplication>(NaivePeerModule, new FastifyAdapter(), { logger: false });
  await app.listen(0, '127.0.0.1');
  const address = app.getHttpServer().address();
  process.stdout.write(`naive peer listening on http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}\n`);
}

void main();
