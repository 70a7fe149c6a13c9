import { Controller, Get, Header, HttpException, HttpStatus, Inject } from '@nestjs/common';
import type { Metrics } from '@labelloop/observability';
import { METRICS } from './tokens';
import { ReadinessProbe } from './readiness';

/** Liveness, readiness and Prometheus metrics over HTTP. */
@Controller()
export class HealthController {
  constructor(
    @Inject(METRICS) private readonly metrics: Metrics,
    private readonly readiness: ReadinessProbe,
  ) {}

  /** Liveness: the process answers. */
  @Get('healthz')
  healthz(): { status: string } {
    return { status: 'ok' };
  }

  /** Readiness: database reachable, consumer in its group, outbox relay publishing. */
  @Get('readyz')
  async readyz(): Promise<Record<string, unknown>> {
    const checks = await this.readiness.check();
    const ready = Object.values(checks).every(Boolean);
    if (!ready) throw new HttpException({ status: 'not ready', checks }, HttpStatus.SERVICE_UNAVAILABLE);
    return { status: 'ready', checks };
  }

  @Get('metrics')
  @Header('Content-Type', 'text/plain; version=0.0.4; charset=utf-8')
  async prometheus(): Promise<string> {
    return this.metrics.registry.metrics();
  }
}
