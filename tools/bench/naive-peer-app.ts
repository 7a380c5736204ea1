/**
 * The hand-written peer of `GET /customer-segment/{tenant}/segments/{id}` (issue #15): what a
 * developer would write in an afternoon with Nest on Fastify and @nestjs/mongoose, reading the same
 * documents from the same embedded database: no tenancy rules beyond the collection name, no scopes,
 * no validation, no error profile, no observability. Two routes: without auth, and with an HS256
 * bearer check (jose) and the token's tenant compared with the path's. The suite's figure is printed
 * next to both, so the ratio says what its safety costs. Started as its own process, like the apps.
 */
import 'reflect-metadata';
// eslint-disable-next-line no-restricted-imports -- deliberately plain Nest, not the suite's shape: it is the anchor.
import { CanActivate, Controller, ExecutionContext, Get, Injectable, Module, NotFoundException, Param, UseGuards } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { InjectConnection, MongooseModule } from '@nestjs/mongoose';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { jwtVerify } from 'jose';
import { Connection, Model, Schema } from 'mongoose';

const SECRET = new TextEncoder().encode(process.env.AUTH_HS256_SECRET ?? '');

@Injectable()
class BearerGuard implements CanActivate {
  async canActivate(context: ExecutionContext): Promise<boolean> {
    const req = context.switchToHttp().getRequest<{ headers: Record<string, string>; params: Record<string, string> }>();
    const token = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
    if (!token) return false;
    try {
      const { payload } = await jwtVerify(token, SECRET, { issuer: process.env.AUTH_ISSUER, audience: process.env.AUTH_AUDIENCE });
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

@Module({
  imports: [MongooseModule.forRoot(process.env.MONGODB_URI ?? '', { dbName: 'customer_segment' })],
  controllers: [SegmentsController],
})
class NaivePeerModule {}

async function main() {
  const app = await NestFactory.create<NestFastifyApplication>(NaivePeerModule, new FastifyAdapter(), { logger: false });
  await app.listen(0, '127.0.0.1');
  const address = app.getHttpServer().address();
  process.stdout.write(`naive peer listening on http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}\n`);
}

void main();
