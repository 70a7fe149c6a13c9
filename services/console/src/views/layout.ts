import { html, SafeHtml } from './html';

/** The console's pages, in menu order. */
export const PAGES = [
  { path: '/models', title: 'Models' },
  { path: '/annotation', title: 'Annotation' },
  { path: '/sampling', title: 'Sampling' },
  { path: '/quality', title: 'Quality' },
  { path: '/datasets', title: 'Datasets' },
  { path: '/retraining', title: 'Retraining' },
] as const;

/**
 * A whole page: menu, sign-in state and the live region, which htmx replaces with
 * `<path>/live` every `refreshSeconds` (the figures only; forms keep their state).
 * `refreshSeconds` 0: figures that do not change (e.g. a diff of two versions), no refresh.
 */
export function layout(opts: { path: string; title: string; signedIn: boolean; refreshSeconds: number; body: SafeHtml; before?: SafeHtml }): SafeHtml {
  const nav = PAGES.map((p) => html`<li><a href="${p.path}"${p.path === opts.path ? new SafeHtml(' aria-current="page"') : ''}>${p.title}</a></li>`);
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${opts.title} · LabelLoop console</title>
<link rel="stylesheet" href="/assets/uPlot.min.css">
<link rel="stylesheet" href="/assets/console.css">
<script src="/assets/htmx.min.js" defer></script>
<script src="/assets/uPlot.iife.min.js" defer></script>
<script src="/assets/console-charts.js" defer></script>
</head>
<body>
<a class="skip" href="#content">Skip to content</a>
<header>
<p class="brand">LabelLoop console</p>
<nav aria-label="Pages"><ul>${nav}</ul></nav>
${opts.signedIn ? html`<form method="post" action="/logout" class="signout"><button type="submit">Sign out</button></form>` : html`<a href="/login">Sign in</a>`}
</header>
<main id="content">
<h1>${opts.title}</h1>
${opts.before}
${
  opts.refreshSeconds > 0
    ? html`<div id="live" hx-get="${opts.path}/live" hx-trigger="every ${opts.refreshSeconds}s" hx-swap="innerHTML">${opts.body}</div>`
    : html`<div id="live">${opts.body}</div>`
}
</main>
</body>
</html>`;
}
