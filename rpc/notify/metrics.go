package notify

import "github.com/prometheus/client_golang/prometheus"

// Collector exports the hub's Stats to Prometheus, named zmq_rpc_notify_*.
func (h *Hub) Collector() prometheus.Collector { return NewCollector(h.Stats) }

// Collector exports a direct notifier's Stats to Prometheus, named zmq_rpc_notify_*.
func (n *Notifier) Collector() prometheus.Collector { return NewCollector(n.Stats) }

// NewCollector is a Prometheus collector reading stats at each scrape.
func NewCollector(stats func() Stats) prometheus.Collector { return &collector{stats: stats} }

type collector struct{ stats func() Stats }

func desc(name, help string, labels ...string) *prometheus.Desc {
	return prometheus.NewDesc("zmq_rpc_notify_"+name, help, labels, nil)
}

var (
	descReceived    = desc("received_total", "Notifications received from notifiers (a hub).")
	descPublished   = desc("published_total", "Notifications published to listeners outside pools.")
	descWelcomes    = desc("welcomes_total", "Listeners' subscription handshakes answered.")
	descDropped     = desc("dropped_total", "Messages dropped, by reason: garbage (malformed), overflow (a full pool queue), exhausted (requeued too often).", "reason")
	descQueued      = desc("pool_queued_total", "Copies of notifications queued for pools.")
	descDelivered   = desc("pool_delivered_total", "Deliveries to pool members, redeliveries included.")
	descHandled     = desc("pool_handled_total", "Deliveries acknowledged HANDLED.")
	descRequeued    = desc("pool_requeued_total", "Deliveries acknowledged REQUEUE.")
	descRedelivered = desc("pool_redelivered_total", "Deliveries queued again because their member left or went silent.")
	descLateAcks    = desc("pool_late_acks_total", "Acknowledgements of deliveries no longer awaited.")
	descMembers     = desc("pool_members", "Members of each pool.", "pool")
	descDepth       = desc("pool_queue_depth", "Notifications waiting for a member, per pool.", "pool")
	descInFlight    = desc("pool_inflight", "Deliveries not yet acknowledged, per pool.", "pool")
)

func (c *collector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{descReceived, descPublished, descWelcomes, descDropped, descQueued,
		descDelivered, descHandled, descRequeued, descRedelivered, descLateAcks, descMembers, descDepth, descInFlight} {
		ch <- d
	}
}

func (c *collector) Collect(ch chan<- prometheus.Metric) {
	s := c.stats()
	counter := func(d *prometheus.Desc, v uint64, labels ...string) {
		ch <- prometheus.MustNewConstMetric(d, prometheus.CounterValue, float64(v), labels...)
	}
	counter(descReceived, s.Received)
	counter(descPublished, s.Published)
	counter(descWelcomes, s.Welcomes)
	counter(descDropped, s.Garbage, "garbage")
	counter(descDropped, s.Overflow, "overflow")
	counter(descDropped, s.Exhausted, "exhausted")
	counter(descQueued, s.Queued)
	counter(descDelivered, s.Delivered)
	counter(descHandled, s.Handled)
	counter(descRequeued, s.Requeued)
	counter(descRedelivered, s.Redelivered)
	counter(descLateAcks, s.LateAcks)
	for _, p := range s.Pools {
		ch <- prometheus.MustNewConstMetric(descMembers, prometheus.GaugeValue, float64(p.Members), p.Name)
		ch <- prometheus.MustNewConstMetric(descDepth, prometheus.GaugeValue, float64(p.Queued), p.Name)
		ch <- prometheus.MustNewConstMetric(descInFlight, prometheus.GaugeValue, float64(p.InFlight), p.Name)
	}
}
