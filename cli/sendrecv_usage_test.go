package cli

import (
	"bytes"
	"errors"
	"strings"
	"testing"
)

func TestSendRecvUsageErrors(t *testing.T) {
	ctx := testCtx(t)
	ep := ipcEP(t)
	for _, args := range [][]string{
		{"send", "-t", "NOPE", "-c", ep, "x"},
		{"send", "-c", ep, "-o", "NOSUCH=1", "x"},
		{"send", "-c", ep, "-o", "SNDHWM=lots", "x"},
		{"send", "-c", ep, "-n", "-1", "x"},
		{"send", "-c", ep, "-n", "2", "x", "y"},
		{"send", "-c", ep, "--timeout", "soon", "x"},
		{"send", "-c", ep, "--timeout", "-1s", "x"},
		{"send", "-c", ep, "--peers", "-1", "x"},
		{"send", "-c", ep, "--subscribe", "a", "x"},
		{"send", "-c", ep, "--to", "w", "x"},
		{"send", "-t", "ROUTER", "-b", ep, "x"},
		{"send", "-t", "ROUTER", "-b", ep, "--to", "0xzz", "x"},
		{"send", "-c", ep, "--in", "hex", "zz"},
		{"send", "-c", ep, "--in", "base64", "x"},
		{"send", "-c", ep, "-0", "--raw"},
		{"send", "-c", ep, "--raw", "x"},
		{"send", "-c", ep, "--format", "xml", "x"},
		{"send", "-c", ep, "--replies", "x"},
		{"send", "-t", "PULL", "-c", ep, "x"},
		{"send", "-t", "REP", "-c", ep, "x"},
		{"send", "x"},
		{"send", "-c", "tcp//nowhere", "x"},
		{"recv", "-t", "REP", "-b", ep},
		{"recv", "-t", "REP", "-b", ep, "--reply", "a", "--echo"},
		{"recv", "-b", ep, "--echo"},
		{"recv", "-t", "PUSH", "-b", ep},
		{"recv", "-t", "PUB", "-b", ep},
		{"recv", "-t", "REQ", "-b", ep},
		{"recv", "-b", ep, "--subscribe", "a"},
		{"recv", "-t", "DEALER", "-b", ep, "--to", "x"},
		{"recv", "-b", ep, "extra"},
		{"recv", "-b", ep, "--format", "yaml"},
	} {
		var out, errOut bytes.Buffer
		err := Run(ctx, args, strings.NewReader(""), &out, &errOut)
		if !errors.Is(err, ErrUsage) {
			t.Errorf("zmq %q = %v, want ErrUsage", args, err)
			continue
		}
		if strings.Contains(err.Error(), "\n") {
			t.Errorf("zmq %q: error of more than one line: %q", args, err)
		}
	}
}
