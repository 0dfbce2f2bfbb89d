# make test: install what the tests need (when missing and we are root), then run every test.
GO      ?= go
APT_PKGS = libzmq3-dev python3-zmq pkg-config

.PHONY: test deps vet unit interop fuzz bench

test: deps vet unit interop

# Debian packages for the interop module (cgo against libzmq) and the python3-zmq peers.
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

unit:
	$(GO) test -race -shuffle=on -timeout 10m ./...

interop:
	cd interop && $(GO) test -race -shuffle=on -timeout 10m ./...

# Each fuzz target for FUZZTIME (default 60s).
FUZZTIME ?= 60s
fuzz:
	@for t in $$($(GO) test ./zmtp -list '^Fuzz' | grep '^Fuzz'); do \
		echo "== $$t"; $(GO) test ./zmtp -run '^$$' -fuzz "^$$t$$" -fuzztime $(FUZZTIME) || exit 1; \
	done

bench:
	$(GO) run ./cmd/zmq bench
