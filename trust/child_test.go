package trust_test

import (
	"bufio"
	"io"
	"os"
	"os/exec"
	"testing"
)

// startTest runs this test binary again as a child process that runs only the test named
// test, with env added to its environment. The child reads its stdin (closing it tells the
// child to finish) and writes lines on stdout; its stderr is ours.
func startTest(t *testing.T, test string, env ...string) (cmd *exec.Cmd, stdin io.WriteCloser, stdout *bufio.Reader) {
	t.Helper()
	cmd = exec.Command(os.Args[0], "-test.run=^"+test+"$", "-test.count=1")
	cmd.Env = append(os.Environ(), env...)
	cmd.Stderr = os.Stderr
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	return cmd, stdin, bufio.NewReader(out)
}
