# make test: install what the tests need (when missing and we are root), then run every test.
GO      ?= go
APT_PKGS = libzmq3-dev python3-zmq pkg-config redis-server rabbitmq-server nftables

.PHONY: test deps vet unit interop benchtest fuzz bench

test: deps vet unit interop benchtest

# Debian packages for the interop module (cgo against libzmq), the python3-zmq peers and the
# redis-server the registry tests and the rabbitmq-server the bridge tests start privately; nftables
# for the packet loss the pgm tests inject in their network namespaces (netem is not in every kernel).
deps:
	@missing=""; for p in $(APT_PKGS); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
		if [ "$$(id -u)" = 0 ]; then \
			echo "installing:$$missing"; \
			apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
		else \
			echo "missing Debian packages:$$missing (run as root, or install them, for the interop tests)"; exit 1; \
		fi; \
	fi

vet:
	$(GO) vet ./...
	cd interop && $(GO) vet ./...
	cd bench && $(GO) vet ./...
	# The module, tests included, builds where int is 32 bits and on another 64-bit architecture.
	GOARCH=386 $(GO) vet ./...
	GOARCH=arm64 $(GO) build ./...

unit:
	$(GO) test -race -shuffle=on -timeout 10m ./...
	$(GO) test -race -tags purego ./internal/salsa20

interop:
	cd interop && $(GO) test -race -shuffle=on -timeout 10m ./...

# The comparison harness's own tests (records, tables, chart, process handling).
benchtest:
	cd bench && $(GO) test -race -shuffle=on -timeout 5m ./...

# Every fuzz target of every package, each for FUZZTIME (default 60s): the codecs and handshakes,
# and ./wirefuzz's live sockets (one target per side and mechanism). The packages are found, not
# listed: those of this module whose tests declare a fuzz target (a list by hand had left out
# the NORM and memcast decoders).
FUZZTIME ?= 60s
FUZZPKGS ?= $(shell grep -rlE --include='*_test.go' '^func Fuzz[A-Z]' . | grep -vE '^\./(bench|interop)/' | xargs -n1 dirname | sort -u)
fuzz:
	@for p in $(FUZZPKGS); do \
		for t in $$($(GO) test $$p -list '^Fuzz' | grep '^Fuzz'); do \
			echo "== $$p $$t"; $(GO) test $$p -run '^$$' -fuzz "^$$t$$" -fuzztime $(FUZZTIME) || exit 1; \
		done; \
	done

# Long runs, not part of make test: each soak-* part for SOAKTIME, from seed SOAKSEED (a fresh one
# by default; a failure prints the seed that replays it). Parts to come join the soak list.
SOAKTIME ?= 10m
SOAKSEED ?= $(shell date +%s)
.PHONY: soak soak-stream soak-races soak-faults
soak: soak-stream soak-races soak-faults

# The randomised stream checker (trust/stream_test.go), its per-case figures with -v.
soak-stream:
	$(GO) test -race -count=1 -timeout 0 -run '^TestStream$$' -v ./trust \
		-trust.streamtime=$(SOAKTIME) -trust.seed=$(SOAKSEED)

# The close and shutdown races (trust/race_*_test.go): SOAKROUNDS rounds of each scenario, where
# make test runs 100.
SOAKROUNDS ?= 1000
soak-races:
	$(GO) test -race -count=1 -timeout 0 -run '^TestRace' -v ./trust -trust.iterations=$(SOAKROUNDS)

# Every pattern at once through fault-injecting relays, with ipc and inproc controls
# (trust/soak_test.go): the tables of messages, faults and process samples print at the end.
soak-faults:
	$(GO) test -race -count=1 -timeout 0 -run '^TestSoakFaults$$' -v ./trust \
		-trust.soakfaults=$(SOAKTIME) -trust.seed=$(SOAKSEED)

bench:
	$(GO) run ./cmd/zmq bench

# purezmq side by side with libzmq, pebbe/zmq4, go-zeromq/zmq4 and mangos (module bench/): the
# one-to-one cells, CURVE, the many-peer cells, memory per connection and the RPC cells, writing
# bench/out/compare.{md,json}, throughput.svg and manypeer.svg; e.g. make bench-compare
# BENCHFLAGS=-quick, or BENCHFLAGS="-cells manypeer"
.PHONY: bench-compare
bench-compare:
	cd bench && $(GO) run ./cmd/compare $(BENCHFLAGS)

# Only the RPC cells of bench-compare: 64-byte calls from 1 and 16 callers on one client, gRPC-Go
# unary, NATS request-reply, raw purezmq DEALER→ROUTER and purezmq rpc, 3 runs alternating;
# writes bench/out/rpc/compare.{md,json}.
.PHONY: bench-rpc
bench-rpc:
	cd bench && $(GO) run ./cmd/compare -cells rpc -runs 3 -out out/rpc $(BENCHFLAGS)

# Resident memory per connection, 10,000 DEALERs on one ROUTER over tcp, purezmq and libzmq.
.PHONY: bench-connmem
bench-connmem:
	cd bench && $(GO) run ./cmd/connmem $(CONNFLAGS)

# The bridge against the broker's own client, same run (bridge/bench_test.go): msgs/s of each
# of BRIDGECOUNT runs of BRIDGEMSGS messages, then the ratio of the medians.
BRIDGEMSGS ?= 20000x
BRIDGECOUNT ?= 3
.PHONY: bench-bridge
bench-bridge:
	$(GO) test -run '^$$' -bench '^BenchmarkBridge$$' -benchtime $(BRIDGEMSGS) -count $(BRIDGECOUNT) ./bridge | tee /tmp/bench-bridge.txt
	@for k in direct bridged; do \
		grep "BenchmarkBridge/$$k-" /tmp/bench-bridge.txt | awk '{print $$5}' | sort -n | \
			awk -v k=$$k '{a[NR]=$$1} END {printf "%s %.0f\n", k, a[int((NR+1)/2)]}'; \
	done | awk '{m[$$1]=$$2; printf "%s: median %s msgs/s\n", $$1, $$2} END {if (m["direct"] > 0) printf "bridged / direct: %.2fx\n", m["bridged"]/m["direct"]}'

# Calls/s through one rpc proxy against the same server called directly, same run
# (rpc/proxy/bench_test.go): PROXYCOUNT runs of PROXYCALLS calls per cell, 1 and 16 callers.
PROXYCALLS ?= 20000x
PROXYCOUNT ?= 3
.PHONY: bench-rpc-proxy
bench-rpc-proxy:
	$(GO) test -run '^$$' -bench '^BenchmarkProxy$$' -benchtime $(PROXYCALLS) -count $(PROXYCOUNT) ./rpc/proxy

# msg/s over epgm, pgm and norm between two network namespaces (root), purezmq's peers and
# libzmq's (C, built with cc) in turn in the same run, RATE on both sides, 100 B and 8 KiB:
# prints a table with the ratios and writes bench/out/multicast.md (bench/mcast); e.g.
# make bench-multicast MCASTFLAGS="-mcast.rate=1000000 -mcast.runs=5 -mcast.transports=epgm".
MCASTFLAGS ?=
.PHONY: bench-multicast
bench-multicast:
	cd bench && $(GO) test -count=1 -timeout 60m -run '^TestBenchMulticast$$' -v ./mcast -mcast $(MCASTFLAGS)

# epgm:// and pgm:// against libzmq in network namespaces (root), 100,000 messages each way with
# 5% loss each way injected by nftables, besides what make test runs; and -pgm.capture rewrites
# the FuzzParse seeds from what a libzmq PUB sends.
.PHONY: test-pgm-long pgm-capture
test-pgm-long:
	$(GO) test -race -count=1 -timeout 30m -run 'TestInterop' -v ./internal/transport/pgm -pgm.long
pgm-capture:
	$(GO) test -count=1 -run '^TestLibzmqWire$$' ./internal/transport/pgm -pgm.capture

# norm:// against libzmq in network namespaces (root): 100,000 messages each way with 5% loss
# each way injected by nftables (make test sends 3,000 to libzmq; from a libzmq PUB under loss
# only here: NRL's sender needs a quiet machine).
.PHONY: test-norm-long
test-norm-long:
	$(GO) test -race -count=1 -timeout 30m -run 'TestLoss(To|From)Libzmq' -v ./internal/transport/norm -norm.long
