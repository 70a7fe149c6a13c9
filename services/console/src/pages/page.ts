import { Inject, Injectable } from '@nestjs/common';
import { CONFIG } from '@labelloop/runtime';
import type { ConsoleConfig } from '../console.config';
import { StageClients } from '../stages/stage-clients';
import { html, type SafeHtml } from '../views/html';

/** One console page: its live figures, and what sits above them (forms that a refresh must not reset). */
export interface ConsolePage {
  path: string;
  title: string;
  /** The figures, re-rendered by every live refresh. */
  live(token: string): Promise<SafeHtml>;
  /** Markup above the live region (e.g. the resume forms), rendered once per page load. */
  static?(token: string): Promise<SafeHtml>;
}

/** A page with one section per configured model or project, read in parallel. */
@Injectable()
export abstract class SectionedPage implements ConsolePage {
  abstract readonly path: string;
  abstract readonly title: string;
  /** Which list the sections follow. */
  protected abstract readonly of: 'CONSOLE_MODELS' | 'CONSOLE_PROJECTS';
  /** Shown above the sections: the figures no RPC serves yet. */
  protected readonly note?: SafeHtml;

  constructor(
    @Inject(CONFIG) protected readonly config: ConsoleConfig,
    protected readonly stages: StageClients,
  ) {}

  protected abstract section(id: string, token: string): Promise<SafeHtml>;

  async live(token: string): Promise<SafeHtml> {
    const ids = this.config[this.of];
    if (ids.length === 0) return html`<p>Nothing to show: set ${this.of}.</p>`;
    return html`${this.note}${await Promise.all(ids.map((id) => this.section(id, token)))}`;
  }
}
