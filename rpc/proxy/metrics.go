package proxy

import (
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/purezmq/zmq/rpc"
)

// Metrics are a proxy's Prometheus metrics. A nil *Metrics counts nothing.
//
//	zmq_rpc_proxy_requests_total{kind}    requests taken from clients: call, cast, fanout
//	zmq_rpc_proxy_replies_total{status}   replies sent to clients, by status (OK, NoResponders, ...),
//	                                      the proxy's own answers included
//	zmq_rpc_proxy_drops_total{reason}     requests or replies not delivered: malformed, no_responders,
//	                                      queue_full, too_many_calls, expired, cancelled, server_lost,
//	                                      server_busy, late_reply, client_unreachable, caller_gone
//	zmq_rpc_proxy_queue_depth{key}        requests waiting for a free server of the key
//	zmq_rpc_proxy_ready_servers{key}      servers announced for the key
//	zmq_rpc_proxy_servers                 server connections known
//	zmq_rpc_proxy_calls_in_flight         calls forwarded, their reply not yet back
//	zmq_rpc_proxy_latency_seconds         a call's time in the proxy, request in to reply out
type Metrics struct {
	requests, replies, drops *prometheus.CounterVec
	queueDepth, readyCount   *prometheus.GaugeVec
	serverCount, inFlight    prometheus.Gauge
	latency                  prometheus.Histogram
}

// NewMetrics makes a proxy's metrics and registers them with reg (none when reg is nil).
func NewMetrics(reg prometheus.Registerer) *Metrics {
	opts := func(name, help string) prometheus.Opts {
		return prometheus.Opts{Namespace: "zmq", Subsystem: "rpc_proxy", Name: name, Help: help}
	}
	counter := func(name, help, label string) *prometheus.CounterVec {
		return prometheus.NewCounterVec(prometheus.CounterOpts(opts(name, help)), []string{label})
	}
	m := &Metrics{
		requests:    counter("requests_total", "Requests taken from clients, by kind.", "kind"),
		replies:     counter("replies_total", "Replies sent to clients, by status.", "status"),
		drops:       counter("drops_total", "Requests or replies not delivered, by reason.", "reason"),
		queueDepth:  prometheus.NewGaugeVec(prometheus.GaugeOpts(opts("queue_depth", "Requests waiting for a free server, per key.")), []string{"key"}),
		readyCount:  prometheus.NewGaugeVec(prometheus.GaugeOpts(opts("ready_servers", "Servers announced, per key.")), []string{"key"}),
		serverCount: prometheus.NewGauge(prometheus.GaugeOpts(opts("servers", "Server connections known."))),
		inFlight:    prometheus.NewGauge(prometheus.GaugeOpts(opts("calls_in_flight", "Calls forwarded to servers, their reply not yet back."))),
		latency: prometheus.NewHistogram(prometheus.HistogramOpts{Namespace: "zmq", Subsystem: "rpc_proxy", Name: "latency_seconds",
			Help: "Time from a call's request in to its reply out.", Buckets: prometheus.ExponentialBuckets(50e-6, 4, 10)}),
	}
	if reg != nil {
		for _, c := range []prometheus.Collector{m.requests, m.replies, m.drops, m.queueDepth, m.readyCount, m.serverCount, m.inFlight, m.latency} {
			reg.MustRegister(c)
		}
	}
	return m
}

func (m *Metrics) request(kind string) {
	if m != nil {
		m.requests.WithLabelValues(kind).Inc()
	}
}

// reply counts a reply; in is when its call came in (zero for the proxy's own answers to
// requests never forwarded, which the histogram leaves out).
func (m *Metrics) reply(status rpc.Code, in time.Time) {
	if m == nil {
		return
	}
	m.replies.WithLabelValues(status.String()).Inc()
	if !in.IsZero() {
		m.latency.Observe(time.Since(in).Seconds())
	}
}

func (m *Metrics) drop(reason string) {
	if m != nil {
		m.drops.WithLabelValues(reason).Inc()
	}
}

func (m *Metrics) queue(key string, n int) {
	if m != nil {
		m.queueDepth.WithLabelValues(key).Set(float64(n))
	}
}

func (m *Metrics) ready(key string, n int) {
	if m != nil {
		m.readyCount.WithLabelValues(key).Set(float64(n))
	}
}

// forget removes a key nobody serves or waits for, so that the series stay bounded.
func (m *Metrics) forget(key string) {
	if m != nil {
		m.queueDepth.DeleteLabelValues(key)
		m.readyCount.DeleteLabelValues(key)
	}
}

func (m *Metrics) servers(n int) {
	if m != nil {
		m.serverCount.Set(float64(n))
	}
}

func (m *Metrics) inflight(n int) {
	if m != nil {
		m.inFlight.Set(float64(n))
	}
}
