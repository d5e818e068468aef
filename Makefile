# Plenary — common tasks. `make run` starts the portal with a private PostgreSQL under .data/.

GO       ?= go
DATA_DIR ?= .data
# Extra flags for `go test`, e.g. make test TESTFLAGS='-run TestBrowser -v'
TESTFLAGS ?=
# The newest PostgreSQL server binaries of the machine (Debian layout), for stop-db.
PG_CTL   ?= $(or $(shell command -v pg_ctl 2>/dev/null),$(lastword $(sort $(wildcard /usr/lib/postgresql/*/bin/pg_ctl))))

.PHONY: run build test bench generate check-generated vet fmt stop-db seaweedfs

## run: build and run the portal (no DATABASE_URL: a private cluster under .data/, migrated, with demo data)
run: build
	./bin/plenary serve

## build: compile bin/plenary
build:
	$(GO) build -o bin/plenary ./cmd/plenary

# The browser tests need axe-core; npm ci runs when node_modules is missing or older than the lock.
node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund
	@touch $@

## seaweedfs: build SeaweedFS's weed, the S3 server of the object-storage tests, once into a cache
## outside the repository (~/.cache/plenary/seaweedfs; about 10 minutes the first time)
seaweedfs:
	@.ci/build-seaweedfs

## test: every test with the race detector, against one private PostgreSQL for the whole run
## (or TEST_DATABASE_URL when set) and real S3 servers (SeaweedFS, built once by `make seaweedfs`);
## the browser test uses /usr/bin/chromium
test: node_modules/.package-lock.json
	WEED_BIN="$$(.ci/build-seaweedfs)" $(GO) run ./internal/pgtest/testdb -- $(GO) test -race -timeout 25m $(TESTFLAGS) ./...

## bench: load benchmark of the real binary (cmd/plenary-bench: pages, registration, lists), then the
## Go benchmarks of issuing 1,000 visa letters, of the documents (list of 1,000, 50 MB download from
## PostgreSQL and from S3 beside net/http from disk), of the meeting page while 200 clients download slowly
## and of rendering badge PDFs (with photo and QR code), and check-in redeem at 40 desks beside a plain pgx INSERT
bench:
	$(GO) run ./cmd/plenary-bench
	$(GO) run ./internal/pgtest/testdb -- $(GO) test -run '^$$' -bench 'Issue1000Letters' -benchtime 1x ./internal/postgres
	WEED_BIN="$$(.ci/build-seaweedfs)" $(GO) run ./internal/pgtest/testdb -- $(GO) test -run '^$$' -bench 'Document' -benchtime 20x ./internal/site
	$(GO) run ./internal/pgtest/testdb -- $(GO) test -run '^$$' -bench 'MeetingPageDuringSlowDownloads' -benchtime 1x ./internal/site
	$(GO) test -run '^$$' -bench 'Badge' -benchtime 100x ./internal/badge
	$(GO) run ./internal/pgtest/testdb -- $(GO) test -run '^$$' -bench 'Redeem40Desks' -benchtime 1x ./internal/service

## generate: regenerate the templ components (web/view/*_templ.go)
generate:
	$(GO) tool templ generate

## check-generated: fail when the committed *_templ.go files are not what templ generates
check-generated: generate
	@if [ -n "$$(git status --porcelain -- web/view)" ]; then \
		echo "templ output is stale or uncommitted: run 'make generate' and commit web/view:"; \
		git status --short -- web/view; git --no-pager diff --stat -- web/view; exit 1; \
	fi
	@echo "generated templ code is up to date"

## vet: go vet
vet:
	$(GO) vet ./...

## fmt: format the Go code and the templ components
fmt:
	gofmt -w cmd internal migrations web
	$(GO) tool templ fmt web/view

## stop-db: stop the private PostgreSQL cluster of `make run` (it keeps running between runs)
stop-db:
	@if [ ! -f "$(DATA_DIR)/postgres/postmaster.pid" ]; then \
		echo "no private PostgreSQL running in $(DATA_DIR)/postgres"; \
	elif [ -z "$(PG_CTL)" ]; then \
		echo "pg_ctl not found (looked on PATH and in /usr/lib/postgresql/*/bin)"; exit 1; \
	elif [ "$$(id -u)" = 0 ]; then \
		su postgres -s /bin/sh -c '"$(PG_CTL)" -D "$(abspath $(DATA_DIR))/postgres" -m fast -w stop'; \
	else \
		"$(PG_CTL)" -D "$(DATA_DIR)/postgres" -m fast -w stop; \
	fi
