import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import type { AxeResults } from 'axe-core';
import type { Browser, Page } from 'puppeteer-core';
import { eventually } from './kafka-helpers';

/** Debian's chromium (scripts/install.sh installs it); CHROMIUM_PATH wins. */
export function chromiumPath(): string {
  return process.env.CHROMIUM_PATH ?? execFileSync('sh', ['-c', 'command -v chromium || command -v chromium-browser'], { encoding: 'utf8' }).trim();
}

/** What axe-core found on a page for WCAG 2 A and AA: one line per violation (rule: nodes). */
export interface AxeFindings {
  violations: string[];
  passes: number;
}

/**
 * Headless Chromium on the web console at `base` (services/console), for browser tests: sign
 * in with a bearer token, read figures by selector, run axe-core, save screenshots.
 */
export class ConsoleBrowser {
  private constructor(
    readonly base: string,
    private readonly browser: Browser,
  ) {}

  static async open(base: string): Promise<ConsoleBrowser> {
    // Loaded here, not with the package: the main job and services' tests import @labelloop/testing too.
    const { launch } = await import('puppeteer-core');
    const browser = await launch({ executablePath: chromiumPath(), headless: true, args: ['--no-sandbox', '--disable-dev-shm-usage'] });
    return new ConsoleBrowser(base, browser);
  }

  /** A fresh browser context signed in with `token`; resolves on the page the login lands on. */
  async signIn(token: string): Promise<Page> {
    const ctx = await this.browser.createBrowserContext();
    const page = await ctx.newPage();
    await page.setViewport({ width: 1280, height: 900 });
    await page.goto(`${this.base}/login`);
    await page.type('#token', token);
    await Promise.all([page.waitForNavigation(), page.click('form.login button')]);
    return page;
  }

  text(page: Page, selector: string): Promise<string> {
    return page.$eval(selector, (el) => (el.textContent ?? '').trim());
  }

  texts(page: Page, selector: string): Promise<string[]> {
    return page.$$eval(selector, (els) => els.map((el) => (el.textContent ?? '').trim()));
  }

  /** Reloads `pagePath` until `check` holds (the stages finish their work asynchronously). */
  openUntil(page: Page, pagePath: string, what: string, check: () => Promise<boolean>): Promise<true> {
    return eventually(
      async () => {
        await page.goto(`${this.base}${pagePath}`);
        return check().catch(() => false);
      },
      what,
      90_000,
      1000,
    );
  }

  /** axe-core's WCAG 2 A/AA run on the page as it is now. */
  async axe(page: Page): Promise<AxeFindings> {
    await page.addScriptTag({ content: readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8') });
    const results = (await page.evaluate(() =>
      (globalThis as unknown as { axe: { run(ctx: unknown, o: unknown): Promise<AxeResults> }; document: unknown }).axe.run(
        (globalThis as unknown as { document: unknown }).document,
        { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa'] } },
      ),
    )) as AxeResults;
    return {
      violations: results.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`),
      passes: results.passes.length,
    };
  }

  /** A full-page PNG at `<dir>/<name>.png`. */
  async shot(page: Page, dir: string, name: string): Promise<void> {
    mkdirSync(dir, { recursive: true });
    await page.screenshot({ path: path.join(dir, `${name}.png`) as `${string}.png`, fullPage: true });
  }

  close(): Promise<void> {
    return this.browser.close();
  }
}
