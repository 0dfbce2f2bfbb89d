package registry

import (
	"fmt"
	"net"
	"net/url"
	"strconv"
	"strings"
)

// The transport URL schemes, in oslo.messaging's form.
const (
	SchemeZMQ      = "zmq"                // zmq://h1:p1,h2:p2: static endpoints, no registry
	SchemeRedis    = "zmq+redis"          // zmq+redis://[:password@]h1:6379,h2:6379/0
	SchemeSentinel = "zmq+redis+sentinel" // zmq+redis+sentinel://h1:26379,h2:26379/MASTER/0
)

// URL is a parsed transport URL.
type URL struct {
	Scheme     string   // SchemeZMQ, SchemeRedis or SchemeSentinel
	Hosts      []string // host:port, in the URL's order (default ports 6379 and 26379 filled in)
	Username   string   // Redis ACL user, rarely set
	Password   string   // Redis password (for Sentinel, the master's)
	DB         int      // Redis database number, 0 by default
	MasterName string   // Sentinel's name for the master
}

// Endpoints lists the ZeroMQ endpoints of a zmq:// URL: tcp://host:port each.
func (u URL) Endpoints() []string {
	if u.Scheme != SchemeZMQ {
		return nil
	}
	eps := make([]string, len(u.Hosts))
	for i, h := range u.Hosts {
		eps[i] = "tcp://" + h
	}
	return eps
}

// String gives the URL back with the password hidden, fit for logs.
func (u URL) String() string {
	var b strings.Builder
	b.WriteString(u.Scheme + "://")
	if u.Username != "" || u.Password != "" {
		b.WriteString(url.PathEscape(u.Username))
		if u.Password != "" {
			b.WriteString(":xxxxx")
		}
		b.WriteString("@")
	}
	b.WriteString(strings.Join(u.Hosts, ","))
	switch u.Scheme {
	case SchemeRedis:
		b.WriteString("/" + strconv.Itoa(u.DB))
	case SchemeSentinel:
		b.WriteString("/" + url.PathEscape(u.MasterName) + "/" + strconv.Itoa(u.DB))
	}
	return b.String()
}

// ParseURL reads a transport URL of one of the three schemes. Several hosts, comma-separated,
// are failover alternatives. Queries, fragments and anything else unexpected are errors
// (ErrBadURL) rather than ignored.
func ParseURL(s string) (URL, error) {
	u, err := parseURL(s)
	if err != nil {
		return URL{}, fmt.Errorf("%w: %q: %s", ErrBadURL, redact(s), err)
	}
	return u, nil
}

func parseURL(s string) (URL, error) {
	scheme, rest, ok := strings.Cut(s, "://")
	if !ok {
		return URL{}, fmt.Errorf("no scheme: want zmq://, zmq+redis:// or zmq+redis+sentinel://")
	}
	u := URL{Scheme: strings.ToLower(scheme)}
	defPort := ""
	switch u.Scheme {
	case SchemeZMQ:
	case SchemeRedis:
		defPort = "6379"
	case SchemeSentinel:
		defPort = "26379"
	default:
		return URL{}, fmt.Errorf("unknown scheme %q: want zmq, zmq+redis or zmq+redis+sentinel", scheme)
	}
	if strings.ContainsAny(rest, "?#") {
		return URL{}, fmt.Errorf("query and fragment are not supported")
	}
	authority, path, _ := strings.Cut(rest, "/")
	if i := strings.LastIndexByte(authority, '@'); i >= 0 {
		if u.Scheme == SchemeZMQ {
			return URL{}, fmt.Errorf("zmq:// takes no user or password")
		}
		user, pass, _ := strings.Cut(authority[:i], ":")
		var err error
		if u.Username, err = url.PathUnescape(user); err != nil {
			return URL{}, fmt.Errorf("user: %w", err)
		}
		if u.Password, err = url.PathUnescape(pass); err != nil {
			return URL{}, fmt.Errorf("password: %w", err)
		}
		authority = authority[i+1:]
	}
	if authority == "" {
		return URL{}, fmt.Errorf("no host")
	}
	for _, h := range strings.Split(authority, ",") {
		hp, err := hostPort(h, defPort)
		if err != nil {
			return URL{}, err
		}
		u.Hosts = append(u.Hosts, hp)
	}
	segs := []string{}
	if path != "" {
		segs = strings.Split(path, "/")
	}
	switch u.Scheme {
	case SchemeZMQ:
		if len(segs) > 0 {
			return URL{}, fmt.Errorf("zmq:// takes no path")
		}
	case SchemeRedis:
		if len(segs) > 1 {
			return URL{}, fmt.Errorf("want /DB after the hosts, got /%s", path)
		}
		if len(segs) == 1 {
			db, err := dbNumber(segs[0])
			if err != nil {
				return URL{}, err
			}
			u.DB = db
		}
	case SchemeSentinel:
		if len(segs) == 0 || segs[0] == "" {
			return URL{}, fmt.Errorf("no master name: want /MASTER[/DB] after the Sentinel hosts")
		}
		if len(segs) > 2 {
			return URL{}, fmt.Errorf("want /MASTER[/DB] after the hosts, got /%s", path)
		}
		name, err := url.PathUnescape(segs[0])
		if err != nil {
			return URL{}, fmt.Errorf("master name: %w", err)
		}
		if err := checkName(name); err != nil {
			return URL{}, fmt.Errorf("master name: %s", err)
		}
		u.MasterName = name
		if len(segs) == 2 {
			if u.DB, err = dbNumber(segs[1]); err != nil {
				return URL{}, err
			}
		}
	}
	return u, nil
}

// hostPort checks one host of the list; defPort fills a missing port ("" requires one).
func hostPort(h, defPort string) (string, error) {
	if h == "" {
		return "", fmt.Errorf("empty host in the host list")
	}
	host, port, err := net.SplitHostPort(h)
	if err != nil {
		// Only a host with no port at all, "host" or "[::1]", takes the default.
		switch {
		case defPort == "":
			return "", fmt.Errorf("host %q: want host:port", h)
		case !strings.Contains(h, ":"):
			host, port = h, defPort
		case strings.HasPrefix(h, "[") && strings.HasSuffix(h, "]"):
			host, port = h[1:len(h)-1], defPort
		default:
			return "", fmt.Errorf("host %q: want host or host:port", h)
		}
	}
	if host == "" || strings.IndexFunc(host, badHostRune) >= 0 {
		return "", fmt.Errorf("host %q: bad host name", h)
	}
	n, err := strconv.Atoi(port)
	if err != nil || n < 1 || n > 65535 || port[0] == '+' {
		return "", fmt.Errorf("host %q: port %q is not 1-65535", h, port)
	}
	return net.JoinHostPort(host, port), nil
}

func dbNumber(s string) (int, error) {
	if s == "" {
		return 0, nil // "host/" is the default database
	}
	n, err := strconv.Atoi(s)
	// Redis's own databases setting tops out far below this; the bound keeps out garbage.
	if err != nil || n < 0 || n > 1<<20 || s[0] == '+' {
		return 0, fmt.Errorf("database %q is not a number 0-%d", s, 1<<20)
	}
	return n, nil
}

// redact hides a password in s for error messages.
func redact(s string) string {
	scheme, rest, ok := strings.Cut(s, "://")
	if !ok {
		return s
	}
	authority, path, hasPath := strings.Cut(rest, "/")
	i := strings.LastIndexByte(authority, '@')
	if i < 0 {
		return s
	}
	user, _, hasPass := strings.Cut(authority[:i], ":")
	if hasPass {
		user += ":xxxxx"
	}
	out := scheme + "://" + user + authority[i:]
	if hasPath {
		out += "/" + path
	}
	return out
}

// badHostRune keeps host names to DNS names and IP literals.
func badHostRune(r rune) bool {
	return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '.' || r == '-' || r == '_' || r == ':')
}
