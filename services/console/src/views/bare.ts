import { html, SafeHtml } from './html';

/** A page without the menu (sign-in). */
export function layoutBare(title: string, body: SafeHtml): SafeHtml {
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title} · LabelLoop console</title>
<link rel="stylesheet" href="/assets/console.css">
</head>
<body>
<main id="content">
<h1>${title}</h1>
${body}
</main>
</body>
</html>`;
}
