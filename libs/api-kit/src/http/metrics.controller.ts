import { Controller, Get } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { METRICS_CONTENT_TYPE, metricsText } from '@suite/observability';
import { Outcome } from './outcome';
import { Public } from './public.decorator';

/** Where each app serves its Prometheus metrics: at its root, which the gateway's base URL (only `/<service>/…`) never reaches. */
export const METRICS_PATH = '/metrics';

/**
 * `GET /metrics`: the process's Prometheus metrics (@suite/observability). No token, like the
 * health endpoints: it is scraped on each app's internal address, and the base URL does not serve
 * it. Left out of the OpenAPI document, which describes the API.
 */
@ApiExcludeController()
@Controller()
export class MetricsController {
  @Get(METRICS_PATH.slice(1))
  @Public()
  async metrics() {
    return Outcome.ok(await metricsText(), { 'Content-Type': METRICS_CONTENT_TYPE });
  }
}
