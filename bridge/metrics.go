package bridge

import "github.com/prometheus/client_golang/prometheus"

// Metrics counts what the routes do, per route (label "route", the Route's Name). A nil
// *Metrics counts nothing.
//
//	zmq_bridge_messages_in_total    taken from the source: received on the ZeroMQ socket
//	                                (to-broker) or delivered by the broker (from-broker)
//	zmq_bridge_messages_out_total   handed to the destination: confirmed by the broker
//	                                (to-broker) or taken by the ZeroMQ socket (from-broker)
//	zmq_bridge_published_total      publications, publications again after a reconnect included
//	zmq_bridge_confirmed_total      publications the broker confirmed
//	zmq_bridge_rejected_total       publications the broker rejected (nack)
//	zmq_bridge_acked_total          deliveries acknowledged to the broker
//	zmq_bridge_requeued_total       deliveries given back to be delivered again (PeerAck timeout)
//	zmq_bridge_malformed_total      messages that could not be mapped, dropped
//	zmq_bridge_reconnects_total     broker connections dialled after a failure
//	zmq_bridge_pending              messages held unsettled: not yet confirmed or rejected
//	                                (to-broker), not yet acknowledged (from-broker)
//	zmq_bridge_connected            1 while the route has its broker link, else 0
type Metrics struct {
	in, out, published, confirmed, rejected, acked, requeued, malformed, reconnects *prometheus.CounterVec
	pending, connected                                                              *prometheus.GaugeVec
}

// NewMetrics makes the bridge's metrics and registers them with reg (none when reg is nil).
func NewMetrics(reg prometheus.Registerer) *Metrics {
	counter := func(name, help string) *prometheus.CounterVec {
		return prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: "zmq", Subsystem: "bridge", Name: name, Help: help}, []string{"route"})
	}
	gauge := func(name, help string) *prometheus.GaugeVec {
		return prometheus.NewGaugeVec(prometheus.GaugeOpts{Namespace: "zmq", Subsystem: "bridge", Name: name, Help: help}, []string{"route"})
	}
	m := &Metrics{
		in:         counter("messages_in_total", "Messages taken from the route's source."),
		out:        counter("messages_out_total", "Messages handed to the route's destination (confirmed, or taken by the ZeroMQ socket)."),
		published:  counter("published_total", "Publications to the broker, publications again after a reconnect included."),
		confirmed:  counter("confirmed_total", "Publications the broker confirmed."),
		rejected:   counter("rejected_total", "Publications the broker rejected."),
		acked:      counter("acked_total", "Deliveries acknowledged to the broker."),
		requeued:   counter("requeued_total", "Deliveries given back to the broker to be delivered again."),
		malformed:  counter("malformed_total", "Messages that could not be mapped, dropped."),
		reconnects: counter("reconnects_total", "Broker connections dialled after a failure."),
		pending:    gauge("pending", "Messages held unsettled by the route."),
		connected:  gauge("connected", "1 while the route is connected to its broker."),
	}
	if reg != nil {
		for _, c := range []prometheus.Collector{m.in, m.out, m.published, m.confirmed, m.rejected,
			m.acked, m.requeued, m.malformed, m.reconnects, m.pending, m.connected} {
			reg.MustRegister(c)
		}
	}
	return m
}

// routeMetrics is one route's series, resolved once.
type routeMetrics struct {
	in, out, published, confirmed, rejected, acked, requeued, malformed, reconnects counter
	pending, connected                                                              gauge
}

type counter interface{ Inc() }

type gauge interface {
	Inc()
	Dec()
	Set(float64)
}

type nop struct{}

func (nop) Inc()        {}
func (nop) Dec()        {}
func (nop) Set(float64) {}

func (m *Metrics) route(name string) *routeMetrics {
	if m == nil {
		var n nop
		return &routeMetrics{n, n, n, n, n, n, n, n, n, n, n}
	}
	return &routeMetrics{
		in: m.in.WithLabelValues(name), out: m.out.WithLabelValues(name),
		published: m.published.WithLabelValues(name), confirmed: m.confirmed.WithLabelValues(name),
		rejected: m.rejected.WithLabelValues(name), acked: m.acked.WithLabelValues(name),
		requeued: m.requeued.WithLabelValues(name), malformed: m.malformed.WithLabelValues(name),
		reconnects: m.reconnects.WithLabelValues(name),
		pending:    m.pending.WithLabelValues(name), connected: m.connected.WithLabelValues(name),
	}
}
