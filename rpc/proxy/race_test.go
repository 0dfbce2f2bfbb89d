//go:build race

package proxy_test

// raceBuild: the test binary is built with -race, so a binary it builds can reuse the race
// build's compiled packages.
const raceBuild = true
