# loadgate: every user-facing target is one line here; `make help` lists them.
# k6 is pinned in exactly this one place; @types/k6 in package.json follows its major version.
K6_VERSION := v1.8.1
K6_PINNED := .bin/k6-$(K6_VERSION)/k6
# actionlint checks .github/workflows in make test; pinned like k6, built into .bin/.
ACTIONLINT_VERSION := v1.7.12
ACTIONLINT := .bin/actionlint-$(ACTIONLINT_VERSION)/actionlint
VEGETA_VERSION := v12.13.0
VEGETA := .bin/vegeta-$(VEGETA_VERSION)/vegeta
# The operator test's real Kubernetes API server (built from k8s.io/kubernetes, ~8 min on 2 cores; cached).
KUBE_APISERVER_VERSION := v1.34.2
KUBE_APISERVER := .bin/kube-apiserver-$(KUBE_APISERVER_VERSION)/kube-apiserver
K6 ?= $(abspath $(K6_PINNED))
export K6
export K6_NO_USAGE_REPORT := true

PROFILE ?= baseline
RESULTS_DIR ?= results
export PROFILE RESULTS_DIR RESULTS_MODE BASE_URL TARGET_ARGS PROTOCOL EVENTS_PER_SEC BATCH_SIZE RPS LOADGATE_RATES VUS BUFFER_FLUSH_INTERVAL LOADGATE_THINK_TIME_SCALE LOADGATE_SEED LOADGATE_TOKEN LOADGATE_SECRET_SOURCE LOADGATE_TOKEN_SECRET LOADGATE_ALLOW_HOSTS LOADGATE_REQUEST_TIMEOUT LOADGATE_ALERT_ABORT_SEVERITY LOADGATE_ALERT_TIME_SCALE LOADGATE_METRICS_URL LOADGATE_GRPC_ADDR PPROF_URL PROFILE_CAPTURE DASHBOARD K6_WEB_DASHBOARD_PERIOD SCENARIO RUN REPEAT BENCH_RATE GATE_ALLOW_OTHER_MACHINE BASE GATE_HEAD_ARGS GATE_CMD DB DATABASE_URL CACHE DB_MAX_OPEN_CONNS DB_MAX_IDLE_CONNS DB_CONN_MAX_LIFETIME DB_CONN_MAX_IDLE_TIME
export INSTANCES PARALLELISM DELIVERY RUNS LOCAL_EXECUTION K6_CLOUD_TOKEN K6_CLOUD_PROJECT_ID LOADGATE_CLOUD_DISTRIBUTION LOADGATE_CLOUD_UPLOAD_ARCHIVE
export PARAM VALUES SWEEP_CMD SWEEP_HEALTH_URL SWEEP_MAX_DB_WRITES A B NAME ISSUE OPTIMIZATION_LOG
# bench/gate-rates.ts and bench/gate-ab-rates.ts (run by hand; exported so a make wrapper passes them on)
export GATE_RATES_NOCHANGE GATE_RATES_INJECTED GATE_RATES_DELAY GATE_RATES_AA GATE_RATES_LEVELS

# The reference service is built with -pgo=auto (a committed service/cmd/loadgate-service/default.pgo
# is used); PGO=off builds without it. The binary records which (`go version -m`), and meta.json with it.
PGO ?= on
export PGO PGO_OUT
$(if $(filter-out on off,$(PGO)),$(error PGO="$(PGO)" is not valid; valid values are: on, off))
GO_PGO := $(if $(filter off,$(PGO)),off,auto)
PGO_PROFILE := $(wildcard service/cmd/loadgate-service/default.pgo)

TS_SOURCES := $(shell find scenarios lib thresholds cli proto -name "*.ts" -o -name "*.proto" 2>/dev/null) build.mjs
GO_SOURCES := $(shell find service proto -name '*.go' -o -name '*.proto' -o -name 'go.mod' -o -name 'go.sum' 2>/dev/null)
CLI := node dist/cli.mjs
# The pinned build only when K6 was not pointed elsewhere.
K6_DEP := $(if $(filter $(abspath $(K6_PINNED)),$(K6)),$(K6_PINNED))

.DEFAULT_GOAL := help
.PHONY: licenses kube-apiserver pgo pgo-verify profile-compare history sweep optimization-log load load-distributed merge operator cloud baseline gate actionlint docs help setup build service k6 typecheck test debian-packages test-unit test-go test-integration load-mixed load-api load-events report alerts-export bench bench-quick clean

help: ## list the targets
	@awk 'BEGIN {FS = ":.*## "} /^[a-z0-9-]+:.*## / {printf "  make %-17s %s\n", $$1, $$2}' $(MAKEFILE_LIST)

load: build service $(K6_DEP) ## any scenario: SCENARIO=<name> or SCENARIO=path/to/your-scenario.ts (see "Your own API")
	@test -n "$(SCENARIO)" || { echo "usage: make load SCENARIO=<name or path/to/scenario.ts> [BASE_URL=…] [PROFILE=…]" >&2; exit 2; }
	$(CLI) run $(SCENARIO)

load-mixed: build service $(K6_DEP) ## mixed user behaviour (PROFILE=quick|smoke|baseline|stress|spike|soak|breakpoint)
	$(CLI) run mixed

load-api: build service $(K6_DEP) ## open-model API load, per-endpoint rates (RPS, LOADGATE_RATES)
	$(CLI) run api-load

load-events: build service $(K6_DEP) ## event ingestion over PROTOCOL=http|grpc (EVENTS_PER_SEC, BATCH_SIZE)
	$(CLI) run event-ingestion

load-distributed: build service $(K6_DEP) ## SCENARIO=<name> as INSTANCES=2 k6 processes (execution segments), merged (docs/distributed.md)
	$(CLI) load-distributed $(SCENARIO)

merge: build ## merge RUNS=<folders, raw .json.gz files or delivered .aggregate.json.gz> of k6 instances (operator runners) into one run folder
	$(CLI) merge

operator: build $(K6_DEP) ## write a k6 archive and k6-operator manifests for SCENARIO=<name> with PARALLELISM=4 runners
	$(CLI) operator $(SCENARIO)

cloud: build service $(K6_DEP) ## run SCENARIO=<name> on Grafana Cloud k6 (K6_CLOUD_TOKEN; LOCAL_EXECUTION=1 runs k6 here)
	$(CLI) cloud $(SCENARIO)

pgo: build service $(K6_DEP) ## profile SCENARIO=<name> under load and write service/cmd/loadgate-service/default.pgo (PGO_OUT, PPROF_URL for another service)
	$(CLI) pgo $(SCENARIO)

# Without PROFILE on the command line: smoke, at a fixed rate below saturation (the CLI's RPS).
pgo-verify: build service/bin/pgo-off/loadgate-service service/bin/pgo-on/loadgate-service $(K6_DEP) ## service built with PGO off and on, RUNS=10 interleaved runs each: CPU per request, p50, p95 with intervals
	PROFILE=$(if $(filter command line environment,$(origin PROFILE)),$(PROFILE),smoke) $(CLI) pgo-verify $(SCENARIO)

profile-compare: build ## CPU and allocations per function and per request, A=<run folders> against B=<run folders>
	$(CLI) profile-compare

bench: build service $(K6_DEP) $(VEGETA) ## overhead over bare k6, ceiling, memory per VU, events, capacity, accuracy, start-up (about 25 min; REPEAT=5, BENCH_RATE=300)
	@scripts/ensure-debian-packages.sh time wrk
	node --import tsx bench/bench.ts

bench-quick: build service $(K6_DEP) $(VEGETA) ## every benchmark of make bench briefly, so the scripts keep working (about 1.5 min)
	@scripts/ensure-debian-packages.sh time wrk
	node --import tsx bench/bench.ts --quick

# vegeta, the independent latency measurement of make bench, pinned like k6.
$(VEGETA):
	GOBIN=$(abspath $(dir $(VEGETA))) go install github.com/tsenart/vegeta/v12@$(VEGETA_VERSION)

baseline: build service $(K6_DEP) ## store SCENARIO's latest REPEAT passing runs at PROFILE (or RUN=) as results/baselines/<scenario>-<profile>.json
	$(CLI) baseline $(SCENARIO)

gate: build service $(K6_DEP) ## SCENARIO at PROFILE against its committed baseline (REPEAT runs, or RUN=), or BASE=<git ref> side by side: 0 ok, 1 regression, 2 cannot compare (docs/gate.md)
	$(CLI) gate $(SCENARIO)

history: build ## trend chart per endpoint and change points (the commit where a step began) over the side-by-side gates in RESULTS_DIR/history
	$(CLI) history

sweep: build service $(K6_DEP) ## run SCENARIO once per VALUES of PARAM, REPEAT times: trade-off table, chart, recommendation (docs/tuning.md)
	$(CLI) sweep $(SCENARIO)

optimization-log: build ## append A=<run or sweep folder> against B=<…> as entry NAME=… to docs/optimization-log.md
	$(CLI) optimization-log

report: build ## rebuild summary.txt, junit.xml and REPORT.md of RUN=<run folder>
	@test -n "$(RUN)" || { echo "usage: make report RUN=results/<run folder>" >&2; exit 2; }
	$(CLI) report $(RUN)

docs: node_modules/.installed ## regenerate the tables in README.md and docs/ from their data (variables, exit codes, SLOs, bench figures…)
	node --import tsx scripts/docs.ts

alerts-export: build ## write the alert rules to deploy/prometheus/alerts.yml
	$(CLI) alerts-export deploy/prometheus/alerts.yml

test: debian-packages typecheck licenses test-unit test-go test-integration ## everything CI runs

licenses: node_modules/.installed ## every npm package and Go module has an allowed licence, and no Go code imports k6 (docs/licences.md)
	node --import tsx scripts/licenses.ts

debian-packages: ## install chromium, strace, prometheus (promtool), postgresql, redis-server, sqlite3, etcd-server for make test if missing (root or sudo, apt)
	@scripts/ensure-debian-packages.sh

typecheck: node_modules/.installed ## tsc --noEmit, strict
	npx tsc --noEmit -p .

test-unit: node_modules/.installed build service $(ACTIONLINT) ## node:test suites over the pure modules
	node --import tsx --test --test-reporter=spec test/unit/*.test.ts

test-go: ## go vet and go test for the reference service
	cd service && go vet ./... && go test -count=1 ./...

# Integration files run three at a time: each run has its own ports, folders and service, and runs
# that check wiring use the 8 s quick profile (test/integration/harness.ts wiringProfile), which
# leaves the CPU mostly idle. Files that measure the machine itself (CPU per request, capacity)
# run alone afterwards so a neighbour cannot skew what they measure; so do the gates, whose
# "unchanged service passes" and "slowed feed is named" judge latencies of runs made minutes apart
# (run three files at a time, a neighbour once moved an A/A p50 by 15%), and so do the two files that open
# live dashboards, so a browser never meets another run's dashboard on a neighbouring port.
INTEGRATION_ALONE := test/integration/bench.test.ts test/integration/pgo.test.ts test/integration/gate.test.ts test/integration/gate-own-api.test.ts test/integration/gate-ab.test.ts test/integration/dashboard.test.ts test/integration/bad-inputs.test.ts
INTEGRATION_PAIRED := $(filter-out $(INTEGRATION_ALONE),$(wildcard test/integration/*.test.ts))

test-integration: build service $(K6_DEP) $(KUBE_APISERVER) ## real k6 against the real target: quick (8 s) runs, smoke where a test times alert windows or aborts
	node --import tsx --test --test-concurrency=3 --test-reporter=spec $(INTEGRATION_PAIRED)
	node --import tsx --test --test-concurrency=1 --test-reporter=spec $(INTEGRATION_ALONE)

setup: node_modules/.installed $(K6_DEP) service ## install npm packages, build k6 and the reference service

build: dist/.built ## bundle scenarios and the CLI into dist/

service: service/bin/loadgate-service ## build the reference service

k6: $(K6_DEP) ## build the pinned k6 (skipped when present)

actionlint: $(ACTIONLINT) ## build the pinned actionlint (skipped when present)

kube-apiserver: $(KUBE_APISERVER) ## build the pinned kube-apiserver for the operator test (skipped when present)

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund
	@touch $@

dist/.built: node_modules/.installed $(TS_SOURCES)
	node build.mjs
	@touch $@

$(K6_PINNED):
	GOBIN=$(abspath $(dir $@)) go install go.k6.io/k6@$(K6_VERSION)
	ln -sfn k6-$(K6_VERSION)/k6 .bin/k6

$(KUBE_APISERVER):
	scripts/build-kube-apiserver.sh $(KUBE_APISERVER_VERSION) $(abspath $@)

$(ACTIONLINT):
	GOBIN=$(abspath $(dir $@)) go install github.com/rhysd/actionlint/cmd/actionlint@$(ACTIONLINT_VERSION)

service/bin/loadgate-service: $(GO_SOURCES) $(PGO_PROFILE) service/bin/.pgo-$(GO_PGO)
	cd service && go build -pgo=$(GO_PGO) -o bin/loadgate-service ./cmd/loadgate-service

# Switching PGO rebuilds the service: the marker of the other setting goes.
service/bin/.pgo-%:
	@mkdir -p $(@D) && rm -f $(@D)/.pgo-* && touch $@

service/bin/pgo-%/loadgate-service: $(GO_SOURCES) $(PGO_PROFILE)
	cd service && go build -pgo=$(if $(filter off,$*),off,auto) -o bin/pgo-$*/loadgate-service ./cmd/loadgate-service

clean: ## remove build outputs (keeps results/)
	rm -rf dist service/bin
