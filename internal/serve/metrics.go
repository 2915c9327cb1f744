package serve

import (
	"log"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	dto "github.com/prometheus/client_model/go"

	"github.com/daemontools-go/daemontools/internal/svstate"
)

// The series of every service, labelled service (the directory's name;
// name/log for its logger). The package documentation tells which a
// service has in each case.
var (
	labels = []string{"service"}

	descSupervised = prometheus.NewDesc("daemontools_service_supervised",
		"1 when a supervisor runs for the service (it holds supervise/ok open, checked at every scrape), else 0; "+
			"without a supervisor the service has no other series.", labels, nil)
	descUp = prometheus.NewDesc("daemontools_service_up",
		"1 when the service is up (./run runs and no stop is under way).", labels, nil)
	descReady = prometheus.NewDesc("daemontools_service_ready",
		"1 when the service is up and ready (our supervise only).", labels, nil)
	descWantUp = prometheus.NewDesc("daemontools_service_want_up",
		"1 when the supervisor is told to keep the service up (svc -u), 0 for down (svc -d) or once (svc -o).", labels, nil)
	descNormallyUp = prometheus.NewDesc("daemontools_service_normally_up",
		"1 when the service directory has no down file.", labels, nil)
	descPaused = prometheus.NewDesc("daemontools_service_paused",
		"1 when the service is paused (svc -p).", labels, nil)
	descSince = prometheus.NewDesc("daemontools_service_state_change_timestamp_seconds",
		"UNIX time of the service's last state change (Debian's supervise: of its last pid change).", labels, nil)
	descRestarts = prometheus.NewDesc("daemontools_service_restarts_total",
		"Starts of ./run since the supervisor started, the first one aside (our supervise only).", labels, nil)
	descLastExit = prometheus.NewDesc("daemontools_service_last_exit_code",
		"Exit code of the last instance of ./run, or minus the signal number that killed it (our supervise only).", labels, nil)
	descBackoff = prometheus.NewDesc("daemontools_service_backoff",
		"1 while the supervisor waits to restart the service (our supervise only).", labels, nil)
	descScrape = prometheus.NewDesc("daemontools_scrape_duration_seconds",
		"Seconds this scrape took to read every service.", nil, nil)
)

// collector is the Collector of the services' series: every Collect
// reads every service, in a pass that began after it was called.
type collector struct{ passes *gate[*pass] }

func (c collector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{descSupervised, descUp, descReady, descWantUp, descNormallyUp,
		descPaused, descSince, descRestarts, descLastExit, descBackoff, descScrape} {
		ch <- d
	}
}

func (c collector) Collect(ch chan<- prometheus.Metric) {
	p := c.passes.get(time.Now())
	// The samples of a scrape in one allocation, each service's label
	// made once: a thousand services are 10,000 samples.
	var b batch
	b.samples = make([]sample, 0, 10*len(p.services)*2+1)
	for i := range p.services {
		q := &p.services[i]
		b.collect(ch, q.name, &q.main)
		if q.log {
			b.collect(ch, q.name+"/log", &q.logger)
		}
	}
	b.send(ch, descScrape, nil, false, p.took.Seconds())
}

// sample is one series' value: a prometheus.Metric that writes its value
// from its own fields and shares its service's label, instead of the
// allocations of a prometheus.NewConstMetric.
type sample struct {
	desc    *prometheus.Desc
	label   []*dto.LabelPair
	value   float64
	gauge   dto.Gauge
	counter dto.Counter
	isCount bool
}

func (s *sample) Desc() *prometheus.Desc { return s.desc }

func (s *sample) Write(m *dto.Metric) error {
	m.Label = s.label
	if s.isCount {
		s.counter.Value = &s.value
		m.Counter = &s.counter
	} else {
		s.gauge.Value = &s.value
		m.Gauge = &s.gauge
	}
	return nil
}

// batch is the samples of one Collect.
type batch struct{ samples []sample }

func (b *batch) send(ch chan<- prometheus.Metric, d *prometheus.Desc, label []*dto.LabelPair, counter bool, v float64) {
	if len(b.samples) == cap(b.samples) {
		b.samples = make([]sample, 0, 64) // the earlier ones stay where they are
	}
	b.samples = append(b.samples, sample{desc: d, label: label, value: v, isCount: counter})
	ch <- &b.samples[len(b.samples)-1]
}

// collect sends the series of the service s, named name.
func (b *batch) collect(ch chan<- prometheus.Metric, name string, s *svstate.Service) {
	label := []*dto.LabelPair{{Name: &labels[0], Value: &name}}
	gauge := func(d *prometheus.Desc, v float64) { b.send(ch, d, label, false, v) }
	if !s.Supervised {
		// Its files tell what a dead supervisor last wrote: stale.
		gauge(descSupervised, 0)
		return
	}
	gauge(descSupervised, 1)
	if s.Source == "" {
		return // unreadable: supervised, and nothing more is known
	}
	d := &s.Doc
	gauge(descUp, bit(d.State == svstate.Up))
	gauge(descWantUp, bit(d.Want == svstate.WantUp))
	gauge(descNormallyUp, bit(d.Normally == svstate.WantUp))
	gauge(descPaused, bit(d.Paused))
	gauge(descSince, float64(d.Since.Unix())+float64(d.Since.Nanosecond())/1e9)
	if s.Source != svstate.FromState {
		return // the 18-byte record: no readiness, restarts, exits or backoff
	}
	gauge(descReady, bit(d.State == svstate.Up && d.Ready))
	b.send(ch, descRestarts, label, true, float64(d.Restarts))
	if e := d.LastExit; e != nil {
		switch {
		case e.Code != nil:
			gauge(descLastExit, float64(*e.Code))
		case e.Signal != nil:
			gauge(descLastExit, -float64(*e.Signal))
		}
	}
	gauge(descBackoff, bit(d.State == svstate.Backoff))
}

func bit(b bool) float64 {
	if b {
		return 1
	}
	return 0
}

// maxScrapes bounds the scrapes served at once; more get 503.
const maxScrapes = 8

// metricsHandler serves the services' series and the Go client's
// process and Go runtime collectors.
func metricsHandler(passes *gate[*pass], errLog *log.Logger) http.Handler {
	reg := prometheus.NewRegistry()
	reg.MustRegister(
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		collectors.NewGoCollector(),
		collector{passes},
	)
	return promhttp.HandlerFor(reg, promhttp.HandlerOpts{
		ErrorLog:            errLog,
		ErrorHandling:       promhttp.ContinueOnError,
		MaxRequestsInFlight: maxScrapes,
	})
}
