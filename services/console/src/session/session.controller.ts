import type { ServerResponse } from 'node:http';
import { Body, Controller, Get, Header, Inject, Post, Res } from '@nestjs/common';
import { CONFIG } from '@labelloop/runtime';
import type { ConsoleConfig } from '../console.config';
import { html } from '../views/html';
import { layoutBare } from '../views/bare';
import { redirect } from '../views/respond';
import { tokenCookie } from './session-cookie';

/** Sign-in: the user pastes the API token the stages know them by; it is kept in a cookie. */
@Controller()
export class SessionController {
  constructor(@Inject(CONFIG) private readonly config: ConsoleConfig) {}

  @Get('login')
  @Header('Content-Type', 'text/html; charset=utf-8')
  form(): string {
    return layoutBare(
      'Sign in',
      html`<form method="post" action="/login" class="login">
<p>Paste your LabelLoop API token. The console calls each stage with it, so you see what the APIs let you see.</p>
<label for="token">API token</label>
<input id="token" name="token" type="password" autocomplete="current-password" required>
<button type="submit">Sign in</button>
</form>`,
    ).value;
  }

  @Post('login')
  login(@Body() body: { token?: string }, @Res() res: ServerResponse): void {
    const token = (body.token ?? '').trim();
    redirect(res, token ? '/models' : '/login', { 'Set-Cookie': tokenCookie(token, this.secure) });
  }

  @Post('logout')
  logout(@Res() res: ServerResponse): void {
    redirect(res, '/login', { 'Set-Cookie': tokenCookie('', this.secure) });
  }

  private get secure(): boolean {
    return this.config.LABELLOOP_ENV === 'production';
  }
}
