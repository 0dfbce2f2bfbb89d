package pgm

import (
	"bufio"
	"encoding/hex"
	"os"
	"strings"
	"testing"
)

// captured is one packet from testdata/libzmq-epgm.txt.
type captured struct {
	label, dest string
	b           []byte
}

func loadCaptures(tb testing.TB) []captured {
	tb.Helper()
	f, err := os.Open("testdata/libzmq-epgm.txt")
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	var out []captured
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if line == "" || line[0] == '#' {
			continue
		}
		fields := strings.Fields(line)
		if len(fields) != 3 {
			tb.Fatalf("bad capture line %q", line)
		}
		b, err := hex.DecodeString(fields[2])
		if err != nil {
			tb.Fatal(err)
		}
		out = append(out, captured{fields[0], fields[1], b})
	}
	if err := sc.Err(); err != nil {
		tb.Fatal(err)
	}
	if len(out) == 0 {
		tb.Fatal("no captured packets")
	}
	return out
}
