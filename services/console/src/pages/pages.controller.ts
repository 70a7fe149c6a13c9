import { Body, Controller, Get, Inject, Post, Query, Req, Res } from '@nestjs/common';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { CONFIG } from '@labelloop/runtime';
import type { ConsoleConfig } from '../console.config';
import { tokenFromCookieHeader } from '../session/session-cookie';
import { html, SafeHtml } from '../views/html';
import { layout } from '../views/layout';
import { refusal } from '../views/format';
import { HTML, pathOf, redirect, respond } from '../views/respond';
import { httpStatusOf } from '../stages/stage-answer';
import { AnnotationPage } from './annotation.page';
import { DatasetDiffPage, type DiffQuery } from './dataset-diff.page';
import { DatasetsPage } from './datasets.page';
import { ModelsPage } from './models.page';
import type { ConsolePage } from './page';
import { QualityPage } from './quality.page';
import { RetrainingPage } from './retraining.page';
import { SamplingPage } from './sampling.page';

const PATHS = ['models', 'annotation', 'sampling', 'quality', 'datasets', 'retraining'];

/** Serves each page whole, its live region alone (for htmx), and the Resume action. */
@Controller()
export class PagesController {
  private readonly pages: Map<string, ConsolePage>;

  constructor(
    @Inject(CONFIG) private readonly config: ConsoleConfig,
    models: ModelsPage,
    private readonly annotation: AnnotationPage,
    sampling: SamplingPage,
    quality: QualityPage,
    datasets: DatasetsPage,
    retraining: RetrainingPage,
    private readonly diff: DatasetDiffPage,
  ) {
    this.pages = new Map([models, annotation, sampling, quality, datasets, retraining].map((p) => [p.path, p]));
  }

  @Get()
  root(@Res() res: ServerResponse): void {
    redirect(res, '/models');
  }

  @Get(PATHS)
  async page(@Req() req: IncomingMessage, @Res() res: ServerResponse): Promise<void> {
    const token = tokenFromCookieHeader(req.headers.cookie);
    if (!token) return redirect(res, '/login');
    await this.send(res, 200, pathOf(req), token);
  }

  /** The diff of two versions of a dataset (`?dataset=…&from=…&to=…`), as the signed-in user. */
  @Get('datasets/diff')
  async datasetDiff(@Req() req: IncomingMessage, @Res() res: ServerResponse, @Query() query: DiffQuery): Promise<void> {
    const token = tokenFromCookieHeader(req.headers.cookie);
    if (!token) return redirect(res, '/login');
    const view = await this.diff.render(token, query);
    // Part of the Datasets menu entry; a diff of two versions never changes, so no live refresh.
    respond(res, view.status, HTML, layout({ path: '/datasets', title: view.title, signedIn: true, refreshSeconds: 0, body: view.body }).value);
  }

  @Get(PATHS.map((p) => `${p}/live`))
  async live(@Req() req: IncomingMessage, @Res() res: ServerResponse): Promise<void> {
    const token = tokenFromCookieHeader(req.headers.cookie);
    const page = this.pages.get(pathOf(req).replace(/\/live$/, ''));
    if (!token || !page) {
      return respond(res, 401, HTML, html`<p class="refusal" role="alert">Signed out: <a href="/login">sign in</a> again.</p>`.value);
    }
    respond(res, 200, HTML, (await page.live(token)).value);
  }

  /**
   * Calls DispatchAdminService.ResumeAnnotator as the signed-in user and shows the annotation
   * page with what the API answered (a refusal is shown with the API's own words, status 403).
   */
  @Post('annotation/resume')
  async resume(
    @Req() req: IncomingMessage,
    @Res() res: ServerResponse,
    @Body() body: { projectId?: string; annotatorId?: string; reason?: string },
  ): Promise<void> {
    const token = tokenFromCookieHeader(req.headers.cookie);
    if (!token) return redirect(res, '/login');
    const projectId = body.projectId ?? '';
    const annotatorId = body.annotatorId ?? '';
    const answer = await this.annotation.resume(token, projectId, annotatorId, body.reason ?? '');
    const message = answer.ok
      ? html`<p class="notice" role="status" id="resume-result">Resumed ${annotatorId} in ${projectId}.</p>`
      : html`<div id="resume-result">${refusal({ ...answer, message: `Resume ${annotatorId} refused. ${answer.message}` })}</div>`;
    const status = answer.ok ? 200 : httpStatusOf(answer.code, 409);
    await this.send(res, status, '/annotation', token, message);
  }

  private async send(res: ServerResponse, status: number, path: string, token: string, message?: SafeHtml): Promise<void> {
    const page = this.pages.get(path);
    if (!page) return respond(res, 404, 'text/plain', 'not found');
    const [body, top] = await Promise.all([page.live(token), page.static?.(token)]);
    const before = html`${message}${top}`;
    respond(res, status, HTML, layout({ path, title: page.title, signedIn: true, refreshSeconds: this.config.CONSOLE_REFRESH_SECONDS, body, before }).value);
  }
}
