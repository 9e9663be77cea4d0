package config

import _ "embed"

// Example is a commented example file, valid as it is
// (`gongkai config example`).
//
//go:embed example.toml
var Example string
