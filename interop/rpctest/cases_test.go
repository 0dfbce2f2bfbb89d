package rpctest

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
)

// The servers of these tests, Python's and Go's, serve the same methods on topic "pytest" in the
// default namespace at version 1.2: calls echo (args back), add ({"a","b"} → a+b), whoami (the
// server's name), fail (a Remote
// error of type failureType with the args' message and details), slow ({"ms","value"}: value
// after ms), hold ({"key"}: the key, once a release of it arrives); casts note and release.
const (
	topic       = "pytest"
	topicKey    = "openstack/" + topic
	failureType = "rpctest.Failure"
)

// callCase is one CALL the Python client makes and the outcome it must print.
type callCase struct {
	name   string
	cmd    map[string]any // the client's command, without op and tag
	status string
	result string       // JSON, when status is OK
	err    *errorObject // Message is a substring to find
}

func callCases(server string) []callCase {
	notFound := &errorObject{Code: "NotFound"}
	unsupported := &errorObject{Code: "UnsupportedVersion"}
	invalid := &errorObject{Code: "InvalidTarget"}
	return []callCase{
		{"echo", map[string]any{"method": "echo", "args": map[string]any{"s": "héllo", "n": 3}}, "OK", `{"s":"héllo","n":3}`, nil},
		{"echo-null", map[string]any{"method": "echo", "args": nil}, "OK", `null`, nil},
		{"add", map[string]any{"method": "add", "args": map[string]any{"a": 2, "b": 40}}, "OK", `42`, nil},
		{"with-timeout", map[string]any{"method": "add", "args": map[string]any{"a": 1, "b": 1}, "timeout_ms": 10000}, "OK", `2`, nil},
		{"with-metadata", map[string]any{"method": "echo", "args": "m", "meta": map[string]string{"trace": "t1"}}, "OK", `"m"`, nil},
		// Delivery's metadata (rpc/WIRE.md): servers that know it use it, others ignore it.
		{"idempotency-key", map[string]any{"method": "add", "args": map[string]any{"a": 1, "b": 2}, "meta": map[string]string{"idempotency-key": "py-key-1"}}, "OK", `3`, nil},
		{"traceparent", map[string]any{"method": "echo", "args": "tp", "meta": map[string]string{
			"traceparent": "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", "tracestate": "rojo=1"}}, "OK", `"tp"`, nil},
		{"slow", map[string]any{"method": "slow", "args": map[string]any{"ms": 1, "value": 7}, "timeout_ms": 10000}, "OK", `7`, nil},
		{"fail", map[string]any{"method": "fail", "args": map[string]any{"message": "boom", "details": map[string]string{"disk": "sda"}}},
			"Remote", "", &errorObject{Code: "Remote", Message: "boom", Details: map[string]string{"disk": "sda"}, Type: failureType}},
		{"no-such-method", map[string]any{"method": "nosuch", "args": nil}, "NotFound", "", notFound},
		{"other-namespace", map[string]any{"method": "echo", "args": 1, "ns": "other"}, "NotFound", "", notFound},
		{"version-1.0", map[string]any{"method": "echo", "args": 1, "version": "1.0"}, "OK", `1`, nil},
		{"version-1.2", map[string]any{"method": "echo", "args": 1, "version": "1.2"}, "OK", `1`, nil},
		{"version-1.3", map[string]any{"method": "echo", "args": 1, "version": "1.3"}, "UnsupportedVersion", "", unsupported},
		{"version-2.0", map[string]any{"method": "echo", "args": 1, "version": "2.0"}, "UnsupportedVersion", "", unsupported},
		{"server-key", map[string]any{"method": "echo", "args": 1, "key": topicKey + "/" + server}, "OK", `1`, nil},
		{"other-server-key", map[string]any{"method": "echo", "args": 1, "key": topicKey + "/nobody"}, "InvalidTarget", "", invalid},
		{"other-topic-key", map[string]any{"method": "echo", "args": 1, "key": "openstack/other"}, "InvalidTarget", "", invalid},
	}
}

// runCallCases makes every call of callCases through the Python client c and checks what it
// printed.
func runCallCases(t *testing.T, c *script, server string) {
	for _, tc := range callCases(server) {
		t.Run(tc.name, func(t *testing.T) {
			cmd := map[string]any{"op": "call", "tag": tc.name}
			for k, v := range tc.cmd {
				cmd[k] = v
			}
			c.send(t, cmd)
			checkOutcome(t, c.outcome(t, tc.name), tc.status, tc.result, tc.err)
		})
	}
}

func checkOutcome(t *testing.T, got line, status, result string, want *errorObject) {
	t.Helper()
	if got.Status != status || got.Local {
		t.Fatalf("got %s, want status %s from the server", got.raw, status)
	}
	if status == "OK" {
		if !sameJSON(t, got.Result, []byte(result)) {
			t.Errorf("result %s, want %s", got.Result, result)
		}
		return
	}
	e := got.Error
	if e == nil || e.Code != want.Code || !strings.Contains(e.Message, want.Message) ||
		e.Type != want.Type || !sameDetails(e.Details, want.Details) {
		t.Errorf("error object in %s, want %+v", got.raw, *want)
	}
}

func sameJSON(t *testing.T, a, b []byte) bool {
	t.Helper()
	var x, y any
	if json.Unmarshal(a, &x) != nil || json.Unmarshal(b, &y) != nil {
		return false
	}
	ja, _ := json.Marshal(x) // maps marshal with sorted keys
	jb, _ := json.Marshal(y)
	return bytes.Equal(ja, jb)
}

func sameDetails(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range b {
		if a[k] != v {
			return false
		}
	}
	return true
}
