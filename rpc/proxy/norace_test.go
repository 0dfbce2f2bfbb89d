//go:build !race

package proxy_test

const raceBuild = false
