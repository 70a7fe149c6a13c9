import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { Controller, Get, NotFoundException, Param, Res } from '@nestjs/common';
import type { ServerResponse } from 'node:http';
import { respond } from './views/respond';

/**
 * The front-end files, served by the console itself: htmx and uPlot from node_modules (no CDN,
 * no build step) and the console's own stylesheet and chart script from `assets/`.
 */
const FILES: Record<string, { file: string; type: string }> = {
  'htmx.min.js': { file: require.resolve('htmx.org/dist/htmx.min.js'), type: 'text/javascript' },
  'uPlot.iife.min.js': { file: require.resolve('uplot/dist/uPlot.iife.min.js'), type: 'text/javascript' },
  'uPlot.min.css': { file: require.resolve('uplot/dist/uPlot.min.css'), type: 'text/css' },
  'console.css': { file: path.join(__dirname, '..', 'assets', 'console.css'), type: 'text/css' },
  'console-charts.js': { file: path.join(__dirname, '..', 'assets', 'console-charts.js'), type: 'text/javascript' },
};

@Controller('assets')
export class AssetsController {
  private readonly cache = new Map<string, Buffer>();

  @Get(':name')
  asset(@Param('name') name: string, @Res() res: ServerResponse): void {
    const f = Object.hasOwn(FILES, name) ? FILES[name] : undefined;
    if (!f) throw new NotFoundException();
    let body = this.cache.get(name);
    if (!body) {
      body = readFileSync(f.file);
      this.cache.set(name, body);
    }
    respond(res, 200, `${f.type}; charset=utf-8`, body, { 'Cache-Control': 'public, max-age=3600' });
  }
}
