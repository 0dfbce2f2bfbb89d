package rabbittest

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestBrokerDiesWithTestBinary: a test binary killed before its cleanup (a timeout, a crash)
// does not leave its broker running. A child process starts a broker and is SIGKILLed; a STOMP
// connection the parent holds to that broker ends (EOF) when the broker stops.
func TestBrokerDiesWithTestBinary(t *testing.T) {
	if os.Getenv("RABBITTEST_ORPHAN_CHILD") == "1" {
		dir, err := os.MkdirTemp("", "rabbittest-orphan-")
		if err != nil {
			t.Fatal(err)
		}
		b, err := Run(dir)
		if err != nil {
			t.Fatal(err)
		}
		fmt.Printf("broker %d %d %s\n", b.STOMPPort, b.epmdPort, dir)
		select {} // until killed
	}
	if _, err := os.Stat(server); err != nil {
		t.Skip(ErrNotInstalled)
	}
	child := exec.Command(os.Args[0], "-test.run=^TestBrokerDiesWithTestBinary$", "-test.count=1")
	child.Env = append(os.Environ(), "RABBITTEST_ORPHAN_CHILD=1")
	out, err := child.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := child.Start(); err != nil {
		t.Fatal(err)
	}
	line := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			if strings.HasPrefix(sc.Text(), "broker ") {
				line <- sc.Text()
			}
		}
		close(line)
		_, _ = io.Copy(io.Discard, out)
	}()
	var stompPort, epmdPort int
	var dir string
	select {
	case l, ok := <-line:
		if !ok {
			child.Wait()
			t.Fatal("the child ended without starting its broker")
		}
		if _, err := fmt.Sscanf(l, "broker %d %d %s", &stompPort, &epmdPort, &dir); err != nil {
			t.Fatalf("child printed %q: %v", l, err)
		}
	case <-time.After(startTimeout + 30*time.Second):
		child.Process.Kill()
		child.Wait()
		t.Fatal("the child's broker did not start")
	}
	orphan := &Broker{dir: dir, epmdPort: epmdPort}
	defer os.RemoveAll(dir)
	defer orphan.stopEPMD() // epmd daemonizes apart from the broker

	c, err := net.DialTimeout("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(stompPort)), ioTimeout)
	if err != nil {
		child.Process.Kill()
		child.Wait()
		t.Fatal(err)
	}
	defer c.Close()
	r := bufio.NewReader(c)
	if _, err := c.Write([]byte("CONNECT\naccept-version:1.2\nhost:/\nlogin:guest\npasscode:guest\nheart-beat:0,0\n\n\x00")); err != nil {
		t.Fatal(err)
	}
	if _, err := r.ReadString(0); err != nil { // CONNECTED
		t.Fatal(err)
	}
	if err := child.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	child.Wait()
	// The broker's end of the connection: it closes it as it stops (no heart-beats were
	// agreed, so nothing else ends it).
	c.SetReadDeadline(time.Now().Add(stopTimeout + 30*time.Second))
	_, err = io.Copy(io.Discard, r) // what it still sends (end-of-line bytes), then its end
	if err != nil && !isReset(err) {
		t.Fatalf("the broker of a killed test binary still runs: %v", err)
	}
}

func isReset(err error) bool {
	return err != nil && strings.Contains(err.Error(), "connection reset")
}
