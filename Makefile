# daemontools in Go. `make demo` builds everything and runs the example
# services; `make test` runs the test suite (what CI runs); `make man`
# renders the manual pages.

GO      ?= go
PREFIX  ?= /usr/local
DESTDIR ?=
BIN     := bin
UNITDIR ?= $(PREFIX)/lib/systemd/system
MANDIR  ?= $(PREFIX)/share/man

export CGO_ENABLED := 0

TOOLS = $(notdir $(wildcard cmd/*))

# One manual page per program, section 8, written in markdown in doc/man and
# rendered to roff by go-md2man (a tool dependency in go.mod) into bin/man.
MANSRC   = $(wildcard doc/man/*.8.md)
MANPAGES = $(patsubst doc/man/%.md,$(BIN)/man/%,$(MANSRC))

.PHONY: all build man test install clean demo

all: build man

# Every program is a static binary in ./bin. The daemontools_quiet tag and
# -checklinkname=0 let the long-running programs switch off the Go
# runtime's idle wake-ups (internal/lean/quiet.go); a plain `go build`
# works too, without that.
GOFLAGS_BUILD := -trimpath -tags daemontools_quiet -ldflags='-s -w -checklinkname=0'

build:
	$(GO) build $(GOFLAGS_BUILD) -o $(BIN)/ ./cmd/...

man: $(MANPAGES)

$(BIN)/man/%.8: doc/man/%.8.md
	@mkdir -p $(@D)
	$(GO) tool go-md2man -in $< -out $@

# The tests run the binaries just built (DAEMONTOOLS_BIN); packages run in parallel.
test: build
	$(GO) vet ./...
	$(GO) vet -tags daemontools_quiet ./internal/lean
	DAEMONTOOLS_BIN=$(CURDIR)/$(BIN) $(GO) test -count=1 -timeout 20m ./...

install: build man
	install -d $(DESTDIR)$(PREFIX)/bin
	install -m 0755 $(addprefix $(BIN)/,$(TOOLS)) $(DESTDIR)$(PREFIX)/bin/
	install -d $(DESTDIR)$(UNITDIR)
	sed 's|@PREFIX@|$(PREFIX)|g' boot/daemontools.service > $(DESTDIR)$(UNITDIR)/daemontools.service
	chmod 0644 $(DESTDIR)$(UNITDIR)/daemontools.service
	install -d $(DESTDIR)$(MANDIR)/man8
	install -m 0644 $(MANPAGES) $(DESTDIR)$(MANDIR)/man8/

# The how-to's hello service under svscan, in the foreground, over
# examples/service; Ctrl-C stops everything it started. No root needed.
demo: build
	sh examples/demo.sh

clean:
	rm -rf $(BIN)

# Benchmarks side by side with Debian's daemontools, runit and s6
# (docs/PERFORMANCE.md). The harness installs missing peers, builds our
# commands, runs everything under a temporary directory, prints the table and
# writes it to bench/out/. bench: quick (about 3 minutes); bench-full: every
# figure at full size (about 25 minutes, and about 12 more for tables 12-13 of docs/PERFORMANCE.md),
# with the micro-benchmarks.
BENCH_RUNNER := bench/out/bench-runner

.PHONY: bench bench-full bench-micro

bench:
	$(GO) build -o $(BENCH_RUNNER) ./bench
	./$(BENCH_RUNNER)

bench-full:
	$(GO) build -o $(BENCH_RUNNER) ./bench
	./$(BENCH_RUNNER) -full

bench-micro:
	$(GO) test -run XXX -bench . -benchmem ./internal/...
