// Package rabbittest runs a private RabbitMQ broker for tests: its own data directory, its own
// 127.0.0.1 ports for AMQP (0.9.1 and, through the amqp1_0 plugin, 1.0), STOMP, Erlang
// distribution and epmd, the amqp1_0 and stomp plugins enabled before it starts, and nothing
// left running when it stops (epmd included). One broker serves a test package: start it in
// TestMain with Run, or per test with Start.
package rabbittest

import (
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/purezmq/zmq/internal/freeport"
)

// startTimeout bounds a start: RabbitMQ takes about 6 s here, more on a loaded machine.
const startTimeout = 90 * time.Second

// stopTimeout bounds a graceful stop before the broker is killed.
const stopTimeout = 30 * time.Second

// server is Debian's broker script run directly (not /usr/sbin's wrapper, which logs to
// /var/log and switches user itself).
const server = "/usr/lib/rabbitmq/bin/rabbitmq-server"

// ctl is its control tool, run the same way.
const ctl = "/usr/lib/rabbitmq/bin/rabbitmqctl"

// ready is in the line the broker prints once every listener is up ("Starting broker...
// completed with 2 plugins.", other log lines possibly between).
const ready = " completed with "

// ErrNotInstalled says rabbitmq-server is missing (make test installs it).
var ErrNotInstalled = errors.New("rabbittest: rabbitmq-server not installed (make test installs it with apt-get)")

// Broker is one private RabbitMQ node.
type Broker struct {
	dir                 string
	AMQPPort, STOMPPort int
	distPort, epmdPort  int
	cred                *syscall.Credential // the rabbitmq user's, when started as root
	mu                  sync.Mutex
	proc                *process // nil while stopped
	starts              int
}

type process struct {
	cmd    *exec.Cmd
	log    *logWriter
	exited chan struct{}
}

// Run starts a broker with its data under dir (made if missing), or ErrNotInstalled.
func Run(dir string) (*Broker, error) {
	if _, err := os.Stat(server); err != nil {
		return nil, ErrNotInstalled
	}
	var err error
	for range startTries {
		b := &Broker{dir: dir}
		if err = b.run(); err == nil {
			return b, nil
		}
		if !portTaken(err) {
			break
		}
	}
	return nil, err
}

// startTries bounds the starts Run tries when a port it picked was taken meanwhile.
const startTries = 3

// pickPorts picks the broker's ports below the ephemeral range (package freeport); a variable
// for the test that makes Run meet a taken port.
var pickPorts = freeport.Pick

// run picks the broker's ports and starts its epmd and the broker, leaving nothing running
// when it fails.
func (b *Broker) run() error {
	ports, err := pickPorts(4)
	if err != nil {
		return err
	}
	b.AMQPPort, b.STOMPPort, b.distPort, b.epmdPort = ports[0], ports[1], ports[2], ports[3]
	if err := b.prepare(); err != nil {
		return err
	}
	if err := b.startEPMD(); err != nil {
		return err
	}
	if err := b.start(); err != nil {
		b.Stop()
		return err
	}
	return nil
}

// portTaken reports whether a start failed because one of its ports was in use.
func portTaken(err error) bool {
	s := strings.ToLower(err.Error())
	return strings.Contains(s, "eaddrinuse") || strings.Contains(s, "address already in use")
}

// prepare writes the broker's configuration and, when running as root, hands the directory to
// the rabbitmq user, as Debian's scripts run the broker as that user.
func (b *Broker) prepare() error {
	for _, d := range []string{"mnesia", "log", "home"} {
		if err := os.MkdirAll(filepath.Join(b.dir, d), 0o755); err != nil {
			return err
		}
	}
	conf := fmt.Sprintf(`listeners.tcp.1 = 127.0.0.1:%d
stomp.listeners.tcp.1 = 127.0.0.1:%d
loopback_users = none
log.console = true
log.console.level = warning
log.file = false
`, b.AMQPPort, b.STOMPPort)
	files := map[string]string{
		"rabbitmq.conf":   conf,
		"enabled_plugins": "[rabbitmq_amqp1_0,rabbitmq_stomp].\n",
	}
	for name, body := range files {
		if err := os.WriteFile(filepath.Join(b.dir, name), []byte(body), 0o644); err != nil {
			return err
		}
	}
	if os.Getuid() != 0 {
		return nil
	}
	u, err := user.Lookup("rabbitmq")
	if err != nil {
		return fmt.Errorf("rabbittest: running as root needs the rabbitmq user: %w", err)
	}
	uid, _ := strconv.Atoi(u.Uid)
	gid, _ := strconv.Atoi(u.Gid)
	b.cred = &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}
	// The directory and the path to it must be the rabbitmq user's to enter.
	for p := b.dir; p != "/" && p != "."; p = filepath.Dir(p) {
		if p == b.dir {
			continue
		}
		if fi, err := os.Stat(p); err == nil && fi.Mode().Perm()&0o001 == 0 {
			if err := os.Chmod(p, fi.Mode().Perm()|0o001); err != nil {
				return err
			}
		}
	}
	return filepath.Walk(b.dir, func(p string, _ os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		return os.Chown(p, uid, gid)
	})
}

func (b *Broker) env() []string {
	d := b.dir
	return append(os.Environ(),
		"RABBITMQ_NODENAME=rabbittest"+strconv.Itoa(b.AMQPPort)+"@localhost",
		"RABBITMQ_NODE_IP_ADDRESS=127.0.0.1",
		"RABBITMQ_MNESIA_BASE="+filepath.Join(d, "mnesia"),
		"RABBITMQ_LOG_BASE="+filepath.Join(d, "log"),
		"RABBITMQ_CONFIG_FILE="+filepath.Join(d, "rabbitmq.conf"),
		"RABBITMQ_ENABLED_PLUGINS_FILE="+filepath.Join(d, "enabled_plugins"),
		"RABBITMQ_FEATURE_FLAGS_FILE="+filepath.Join(d, "feature_flags"),
		"RABBITMQ_PID_FILE="+filepath.Join(d, "pid"),
		"RABBITMQ_DIST_PORT="+strconv.Itoa(b.distPort),
		"ERL_EPMD_ADDRESS=127.0.0.1",
		"ERL_EPMD_PORT="+strconv.Itoa(b.epmdPort),
		"HOME="+filepath.Join(d, "home"),
	)
}

func (b *Broker) start() error {
	p := &process{log: newLogWriter(ready), exited: make(chan struct{})}
	p.cmd = exec.Command(server)
	p.cmd.Dir = b.dir
	p.cmd.Env = b.env()
	p.cmd.Stdout, p.cmd.Stderr = p.log, p.log
	// Its own process group: the script, erl and beam stop together (epmd daemonizes out of
	// it and is stopped apart). SIGTERM when the test binary dies before its cleanup: Debian's
	// script passes it on to the broker, which stops.
	p.cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Credential: b.cred, Pdeathsig: syscall.SIGTERM}
	// Pdeathsig fires when the thread that started the process exits, not the process: start
	// and wait on a thread locked to this goroutine, which lives as long as the broker does.
	started := make(chan error, 1)
	go func() {
		runtime.LockOSThread()
		if err := p.cmd.Start(); err != nil {
			started <- err
			return
		}
		started <- nil
		p.cmd.Wait()
		close(p.exited)
	}()
	if err := <-started; err != nil {
		return err
	}
	b.mu.Lock()
	b.proc = p
	b.starts++
	b.mu.Unlock()
	select {
	case <-p.log.ready:
	case <-p.exited:
		return fmt.Errorf("rabbittest: rabbitmq-server exited before it was ready:\n%s", p.log.tail())
	case <-time.After(startTimeout):
		return fmt.Errorf("rabbittest: rabbitmq-server not ready after %v:\n%s", startTimeout, p.log.tail())
	}
	return nil
}

// AMQPURL is the broker's AMQP URL (guest, allowed from 127.0.0.1 here).
func (b *Broker) AMQPURL() string {
	return "amqp://guest:guest@" + net.JoinHostPort("127.0.0.1", strconv.Itoa(b.AMQPPort)) + "/"
}

// STOMPAddr is the host:port of the broker's STOMP listener (login guest, passcode guest).
func (b *Broker) STOMPAddr() string { return net.JoinHostPort("127.0.0.1", strconv.Itoa(b.STOMPPort)) }

// Log is the tail of what the broker printed.
func (b *Broker) Log() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.proc == nil {
		return ""
	}
	return b.proc.log.tail()
}

// Ctl runs rabbitmqctl against the broker with args and returns what it printed, or why it
// could not run: for a failing test to say what the broker holds.
func (b *Broker) Ctl(args ...string) string {
	out, err := b.ctl(args...)
	if err != nil {
		return err.Error()
	}
	return out
}

func (b *Broker) ctl(args ...string) (string, error) {
	cmd := exec.Command(ctl, args...)
	cmd.Dir = b.dir
	cmd.Env = b.env()
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: b.cred}
	out, err := cmd.CombinedOutput()
	if err != nil {
		return "", fmt.Errorf("rabbittest: rabbitmqctl %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out), nil
}

// SyncMetadata has the broker write the log of its metadata store (Mnesia: the queues and
// bindings declared) to disk now. RabbitMQ 3.10 writes it lazily: killed moments after a
// durable queue was declared, the broker can come back without the queue, and so without the
// messages it confirmed into it (seen once in eight runs of amqp10's crash test).
func (b *Broker) SyncMetadata() error {
	out, err := b.ctl("eval", "mnesia:sync_log().")
	if err != nil {
		return err
	}
	if strings.TrimSpace(out) != "ok" {
		return fmt.Errorf("rabbittest: syncing the metadata log: %s", out)
	}
	return nil
}

// Stop stops the broker (SIGTERM to its process group, SIGKILL after stopTimeout) and its
// epmd; stopping a stopped broker does nothing but the epmd check.
func (b *Broker) Stop() {
	b.end(syscall.SIGTERM)
	b.stopEPMD()
}

// Kill kills the broker at once (SIGKILL), as a crash would; its data stays for Restart.
func (b *Broker) Kill() { b.end(syscall.SIGKILL) }

// Restart stops the broker if it runs and starts it again on the same ports and data:
// durable queues and their persistent messages survive.
func (b *Broker) Restart() error {
	b.end(syscall.SIGTERM)
	return b.start()
}

func (b *Broker) end(sig syscall.Signal) {
	b.mu.Lock()
	p := b.proc
	b.proc = nil
	b.mu.Unlock()
	if p == nil {
		return
	}
	pgid := p.cmd.Process.Pid
	_ = syscall.Kill(-pgid, sig)
	select {
	case <-p.exited:
	case <-time.After(stopTimeout):
		_ = syscall.Kill(-pgid, syscall.SIGKILL)
		<-p.exited
	}
	// The script may exit before beam: make sure nothing of the group is left.
	_ = syscall.Kill(-pgid, syscall.SIGKILL)
}

// epmd is Erlang's port mapper, which the broker registers with.
func (b *Broker) epmd(args ...string) *exec.Cmd {
	bin, err := exec.LookPath("epmd")
	if err != nil {
		bin = "epmd" // the command fails, saying so
	}
	cmd := exec.Command(bin, args...)
	cmd.Env = append(os.Environ(), "ERL_EPMD_PORT="+strconv.Itoa(b.epmdPort), "ERL_EPMD_ADDRESS=127.0.0.1")
	return cmd
}

// startEPMD starts the broker's private epmd before the broker, which would start one itself:
// with relaxed command checks, so that Stop can kill it even while a node it knows is still
// going away.
func (b *Broker) startEPMD() error {
	if out, err := b.epmd("-daemon", "-relaxed_command_check").CombinedOutput(); err != nil {
		return fmt.Errorf("rabbittest: epmd: %v: %s", err, out)
	}
	return nil
}

// stopEPMD stops the broker's private epmd and waits, up to stopTimeout, until its port is
// closed. epmd answers a kill request before it closes its listening socket, so on a loaded
// machine `epmd -kill` can return while the port still accepts (a clean-clone CI run:
// TestBroker found it listening); nothing tells when it has gone but the port itself.
func (b *Broker) stopEPMD() {
	_ = b.epmd("-kill").Run()
	addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(b.epmdPort))
	for deadline := time.Now().Add(stopTimeout); time.Now().Before(deadline); {
		c, err := net.DialTimeout("tcp", addr, time.Second)
		if err != nil {
			return
		}
		c.Close()
		time.Sleep(10 * time.Millisecond)
	}
}
