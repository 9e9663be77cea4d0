// Package config is gongkai's configuration file: its schema, the built-in
// defaults, strict reading (an unknown key or a wrong type is an error
// naming the line and the key), validation, and secrets, which are never
// in the file itself but named there (an environment variable or a file);
// and what it says of itself to people (describe.go): how mail leaves,
// where the password comes from, owners who would hear nothing.
//
// It imports no package of gongkai's.
//
// # Caveats
//
// Relative paths in the file are relative to the file's folder, not to
// the working directory. Cron specs are checked with robfig/cron's parser,
// which panics on some malformed CRON_TZ= prefixes; Validate recovers and
// reports them as errors.
package config
