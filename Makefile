# daemontools in Go. `make demo` builds everything and runs the example
# services; `make test` runs the test suite (what CI runs).

GO      ?= go
PREFIX  ?= /usr/local
DESTDIR ?=
BIN     := bin
UNITDIR ?= $(PREFIX)/lib/systemd/system

export CGO_ENABLED := 0

TOOLS = $(notdir $(wildcard cmd/*))

.PHONY: all build test install clean demo

all: build

# Every program is a static binary in ./bin.
build:
	$(GO) build -trimpath -ldflags='-s -w' -o $(BIN)/ ./cmd/...

# The tests run the binaries just built (DAEMONTOOLS_BIN); packages run in parallel.
test: build
	$(GO) vet ./...
	DAEMONTOOLS_BIN=$(CURDIR)/$(BIN) $(GO) test -count=1 -timeout 20m ./...

install: build
	install -d $(DESTDIR)$(PREFIX)/bin
	install -m 0755 $(addprefix $(BIN)/,$(TOOLS)) $(DESTDIR)$(PREFIX)/bin/
	install -d $(DESTDIR)$(UNITDIR)
	sed 's|@PREFIX@|$(PREFIX)|g' boot/daemontools.service > $(DESTDIR)$(UNITDIR)/daemontools.service
	chmod 0644 $(DESTDIR)$(UNITDIR)/daemontools.service

# The how-to's hello service under svscan, in the foreground, over
# examples/service; Ctrl-C stops everything it started. No root needed.
demo: build
	sh examples/demo.sh

clean:
	rm -rf $(BIN)
