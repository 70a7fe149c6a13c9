import { Inject, Injectable, Optional } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import { database } from './database.repository';
import { DATA_SOURCE } from './tokens';

/** Something whose health counts for readiness (consumer, relay, ...). */
export interface HealthSource {
  healthy: boolean;
}

/** Collects readiness checks; the runtime registers its consumer and relay here. */
@Injectable()
export class ReadinessProbe {
  private readonly sources = new Map<string, HealthSource>();
  private started = false;

  /** `ds` is absent in a web front that has no database (the console). */
  constructor(@Optional() @Inject(DATA_SOURCE) private readonly ds?: DataSource) {}

  register(name: string, source: HealthSource): void {
    this.sources.set(name, source);
  }

  markStarted(started: boolean): void {
    this.started = started;
  }

  async check(): Promise<Record<string, boolean>> {
    const out: Record<string, boolean> = { started: this.started };
    if (this.ds)
      out.database = await database
        .ping(this.ds)
        .then(() => true)
        .catch(() => false);
    for (const [name, s] of this.sources) out[name] = s.healthy;
    return out;
  }
}
