// Package api is gongkai's HTTP API under /api/v1: every operation of the
// application layer as JSON, for the CLI on staff desks and for scripts.
// It is one more front end over app.Service; it decides nothing that the
// application layer does not: who may do what is access's table, asked by
// app on every call.
//
// A request authenticates with a token (Authorization: Bearer gk_…) that
// a login issued; the login itself, and /api/v1/health, are the only
// routes open to anyone. Errors are {"code","field","message"} with the
// status of their code (statusOf). Bodies are bounded (MaxBody; imports
// MaxImportBody), logins rate-limited per account and per address, and
// state-changing requests from a foreign origin refused
// (net/http.CrossOriginProtection).
//
// It may import tracker, tracker/access, tracker/app and calendar.
package api
