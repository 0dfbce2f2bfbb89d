package childtest

import (
	"fmt"
	"io"
	"os"
	"slices"
	"syscall"
	"testing"

	"go.uber.org/goleak"
)

const roleEnv = "PUREZMQ_CHILDTEST_ROLE"

func TestMain(m *testing.M) {
	switch os.Getenv(roleEnv) {
	case "echo": // says hello, then echoes nothing until its stdin ends
		fmt.Print("hello 1\nbye\n") // one write: both are out before the test reads the first
		_, _ = io.Copy(io.Discard, os.Stdin)
		os.Exit(0)
	case "chatty": // prints more than the line buffer holds, then waits for its stdin's end
		for i := range 10000 {
			fmt.Println(i)
		}
		_, _ = io.Copy(io.Discard, os.Stdin)
		os.Exit(0)
	}
	goleak.VerifyTestMain(m)
}

func TestExpectAndRest(t *testing.T) {
	c := Start(t, "echo child", roleEnv+"=echo")
	if got := c.Expect(t, "hello *"); got != "hello 1" {
		t.Fatalf("Expect returned %q", got)
	}
	if err := c.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	if rest := c.Rest(); !slices.Equal(rest, []string{"bye"}) {
		t.Fatalf("Rest %q, want [bye]", rest)
	}
}

// A child whose output nobody reads still ends at cleanup: its lines are drained.
func TestCleanupDrains(t *testing.T) {
	t.Run("chatty", func(t *testing.T) {
		c := Start(t, "chatty child", roleEnv+"=chatty")
		c.Expect(t, "0")
	})
}
