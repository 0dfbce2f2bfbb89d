//go:build !unix

package engine

// rawWriter is unix-only: elsewhere WriteNow always hands over to the writer goroutine.
type rawWriter struct{}

func (c *Conn) initRawWriter()                {}
func (c *Conn) canWriteNow() bool             { return false }
func (c *Conn) writeNonBlocking(b []byte) int { return 0 }
