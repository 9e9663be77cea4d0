// Package web is the dashboard: pages in Chinese for every role, served
// by the office's server beside the API, from the same application layer
// (app.Service) and the same accounts. Pages are rendered on the server
// (html/template, embedded with the style sheet and the vendored htmx);
// every form works without script, htmx only spares a reload. Charts
// are SVG drawn here.
//
// It may import tracker, tracker/access, tracker/app and calendar; the
// other adapters (the API, notify, boltstore) it reaches only through
// functions cmd gives it (Config.RenderEvents, Config.RenderWeekly).
//
// # Caveats
//
//   - A session is the API's web session (cookie SessionCookie, idle 30
//     minutes, 12 hours at most): logging in here logs in the API too.
//   - State-changing requests from another site are refused by
//     net/http.CrossOriginProtection. On plain HTTP behind a reverse proxy
//     that rewrites Host, browsers' Origin will not match: serve over TLS
//     or keep Host.
//   - The Content-Security-Policy allows no inline script or style: a
//     template that needs either breaks in the browser, not in a test
//     without one.
package web
