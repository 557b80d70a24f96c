/**
 * The HTML of each page: a static shell, the same for every viewer except
 * for its CSRF token (base64url, safe in an attribute). Nothing untrusted is
 * ever written here: the browser code fills the page with `textContent`.
 */
export type PageName = 'overview' | 'sessions' | 'session' | 'compare' | 'login'

const titles: Record<PageName, string> = {
  overview: 'Overview',
  sessions: 'Sessions',
  session: 'Session',
  compare: 'Sessions vs cookies',
  login: 'Operator login',
}

/** The Content-Security-Policy of every page: our own script, style and socket only. */
export const PAGE_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self'",
  "connect-src 'self'",
  "form-action 'self'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
].join('; ')

export function renderPage(page: PageName, csrf: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="csrf" content="${csrf}">
<title>SessionLab · ${titles[page]}</title>
<link rel="stylesheet" href="/assets/style.css">
<script type="module" src="/assets/app.js"></script>
</head>
<body data-page="${page}">
<header>
  <strong>SessionLab</strong>
  <nav><a href="/overview">Overview</a> <a href="/">Sessions</a> <a href="/compare">Compare</a> <a href="/login" id="login-link">Operator login</a></nav>
  <span id="live-status" class="status">connecting…</span>
</header>
<section id="view-mode" class="mode"></section>
<section id="missed" class="missed" hidden></section>
<main id="main"></main>
</body>
</html>
`
}
