package cli

import (
	"fmt"
	"net/url"

	amqp "github.com/rabbitmq/amqp091-go"

	"github.com/purezmq/zmq/bridge"
	"github.com/purezmq/zmq/bridge/amqp091"
	"github.com/purezmq/zmq/bridge/amqp10"
	"github.com/purezmq/zmq/bridge/stomp"
)

// bridgeProtocols are the configuration file's protocol names. Each checks its URL when the
// configuration is read: a Dialer with a URL it cannot use would only fail, and retry, later.
var bridgeProtocols = map[string]dialFunc{
	"amqp091": func(url string) (bridge.Dialer, error) {
		if _, err := amqp.ParseURI(url); err != nil {
			return nil, err
		}
		return amqp091.Dial(url), nil
	},
	"amqp10": func(u string) (bridge.Dialer, error) {
		p, err := url.Parse(u)
		if err != nil {
			return nil, err
		}
		if (p.Scheme != "amqp" && p.Scheme != "amqps") || p.Host == "" {
			return nil, fmt.Errorf("amqp10 URL %q: want amqp://user:pass@host:port or amqps://...", u)
		}
		return amqp10.Dial(u), nil
	},
	"stomp": func(url string) (bridge.Dialer, error) {
		if err := stomp.CheckURL(url); err != nil {
			return nil, err
		}
		return stomp.Dial(url), nil
	},
}
