package peer

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net"
	"os"
	"strings"
	"testing"

	"github.com/purezmq/zmq/curve"
)

// The fixed keys are pairs, and the C peers hold the same.
func TestCurveKeys(t *testing.T) {
	header, err := os.ReadFile("../c/common.h")
	if err != nil {
		t.Fatal(err)
	}
	for _, pair := range [][2]string{{CurveServerPublic, CurveServerSecret}, {CurveClientPublic, CurveClientSecret}} {
		pk, err := curve.ParsePublicKey(pair[0])
		if err != nil {
			t.Fatal(err)
		}
		sk, err := curve.ParseSecretKey(pair[1])
		if err != nil {
			t.Fatal(err)
		}
		if sk.Public() != pk {
			t.Errorf("%s is not the public half of the secret key beside it", pair[0])
		}
		for _, k := range pair {
			if !bytes.Contains(header, []byte(`"`+k+`"`)) {
				t.Errorf("c/common.h lacks key %s", k)
			}
		}
	}
}

// hs_req against a lat_rep echo under CURVE, each side purezmq or pebbe (libzmq): every pair
// completes its handshakes, and the result line has the rate.
func TestHandshakesCurve(t *testing.T) {
	for _, pair := range [][2]string{{"purezmq", "purezmq"}, {"purezmq", "pebbe"}, {"pebbe", "purezmq"}} {
		client, server := pair[0], pair[1]
		t.Run(client+"→"+server, func(t *testing.T) {
			l, err := net.Listen("tcp", "127.0.0.1:0")
			if err != nil {
				t.Fatal(err)
			}
			ep := fmt.Sprintf("tcp://%s", l.Addr())
			l.Close()
			const n = 20
			done := make(chan error, 1)
			go func() {
				var out, errOut bytes.Buffer
				done <- Run(Config{Impl: server, Role: LatRep, Endpoint: ep, Bind: true, Curve: true, Size: 16, Count: n}, &out, &errOut)
			}()
			var out, errOut bytes.Buffer
			err = Run(Config{Impl: client, Role: HsReq, Endpoint: ep, Curve: true, Size: 16, Count: n}, &out, &errOut)
			if err != nil {
				t.Fatalf("hs_req: %v (%s)", err, errOut.String())
			}
			if err := <-done; err != nil {
				t.Fatalf("lat_rep: %v", err)
			}
			var res Result
			if err := json.Unmarshal(out.Bytes(), &res); err != nil {
				t.Fatalf("result %q: %v", out.String(), err)
			}
			if res.HandshakesPerS <= 0 || res.Count != n || res.Role != HsReq || res.MsgsPerS != 0 {
				t.Errorf("result %+v", res)
			}
		})
	}
}

func TestNoCurve(t *testing.T) {
	for _, im := range []string{"gozmq", "mangos"} {
		var out, errOut bytes.Buffer
		err := Run(Config{Impl: im, Role: ThrInproc, Endpoint: "inproc://nocurve-" + im, Curve: true, Size: 16, Count: 10}, &out, &errOut)
		if err == nil || !strings.Contains(err.Error(), "CURVE is not supported") {
			t.Errorf("%s -curve: %v", im, err)
		}
	}
}
