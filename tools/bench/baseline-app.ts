/**
 * The benchmark baseline: a bare NestJS-on-Fastify hello-world endpoint with no guards, pipes,
 * filters or database. Every service figure is printed as a ratio to this, measured in the same
 * run on the same machine. Started as its own process, like the services.
 */
import 'reflect-metadata';
import { Controller, Get, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';

@Controller('hello')
class HelloController {
  @Get()
  hello() {
    return { hello: 'world' };
  }
}

@Module({ controllers: [HelloController] })
class BaselineModule {}

async function main() {
  const app = await NestFactory.create<NestFastifyApplication>(BaselineModule, new FastifyAdapter(), { logger: false });
  await app.listen(Number(process.env.PORT ?? 0), '127.0.0.1');
  const address = app.getHttpServer().address();
  process.stdout.write(`baseline listening on http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}\n`);
}

void main();
