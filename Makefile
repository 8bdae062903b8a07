# Quick start:  make demo   (set up, build, plan, apply and plan again the example lab on simulated hosts)
#               make test   (the whole test suite)
#               make soak   (the property tests at length: 100,000 generated steps)
#               make install PREFIX=/usr/local   make deb   make deb-test
SWIFT ?= swift
XENPLAN = .build/debug/xenplan

.PHONY: setup build demo test bench clean format lint

# The commit `xenplan --version` names (Package.swift passes it to one C file; without it
# the binary says "commit unknown"). Exported to every swift command below, so that
# `make build`, `make test`, the release build and the lab agree and share their builds.
# (safe.directory: a checkout owned by another user, as in a CI container, is still read.)
GIT = git -c safe.directory=$(CURDIR)
XENPLAN_COMMIT := $(shell c=$$($(GIT) rev-parse --short=12 HEAD 2>/dev/null) && \
	{ $(GIT) diff --quiet HEAD 2>/dev/null && echo "$$c" || echo "$$c-dirty"; })
XENPLAN_COMMIT_DATE := $(shell $(GIT) log -1 --format=%cs 2>/dev/null)
export XENPLAN_COMMIT XENPLAN_COMMIT_DATE

setup:
	scripts/setup.sh

build: setup
	$(SWIFT) build

# The whole loop on a throwaway copy of the simulated hosts (state/ and git stay clean):
# plan, apply, plan again -> "No changes".
demo: build
	$(XENPLAN) validate examples/lab
	@demo=$$(mktemp -d) && cp state/*.sim.json "$$demo"/ && \
	  echo "+ xenplan plan examples/lab" && $(XENPLAN) plan examples/lab --state-dir "$$demo" && echo && \
	  echo "+ xenplan apply examples/lab --auto-approve --allow-destroy" && $(XENPLAN) apply examples/lab --auto-approve --allow-destroy --state-dir "$$demo" && echo && \
	  echo "+ xenplan plan examples/lab" && $(XENPLAN) plan examples/lab --state-dir "$$demo"; \
	  status=$$?; rm -rf "$$demo"; exit $$status

test: setup
	$(SWIFT) test

# The property tests at length (docs/safety.md): 100,000 steps of generated labs instead
# of the 2,000 of `make test`. SOAK_TRANSITIONS and SOAK_SEED change how many and where
# the seeds start.
SOAK_TRANSITIONS ?= 100000
SOAK_SEED ?= 20261201
.PHONY: soak
soak: setup
	XENPLAN_PROPERTY_TRANSITIONS=$(SOAK_TRANSITIONS) XENPLAN_PROPERTY_BASE_SEED=$(SOAK_SEED) $(SWIFT) test --filter PropertyTests

bench: setup
	scripts/bench.sh

# The code's layout is swift-format's (the toolchain's `swift format`, settings in
# .swift-format): `make format` rewrites the sources, `make lint` fails on any difference.
FORMATTED = Sources Tests Package.swift

format:
	$(SWIFT) format --in-place --recursive $(FORMATTED)

# The shipped binary links FoundationEssentials only (no ICU): a whole-Foundation import
# in one of its modules would bring 45 MB back without any test noticing.
lint:
	$(SWIFT) format lint --strict --recursive $(FORMATTED)
	@! grep -rlnE '^(@_implementationOnly |internal |public )?import Foundation$$' Sources \
		--include='*.swift' --exclude-dir=XenplanTestSupport --exclude-dir=XenplanBench \
		| sed 's/$$/: imports Foundation; the binary links FoundationEssentials only/' | grep .

clean:
	rm -rf .build .build-deb

# Installation: the static release binary (as the lab builds it, and in the same folder,
# so that neither builds it twice), the manual pages, and the shell completions. The
# binary is stripped of its symbol table (-s): a third of its size, and start-up reads
# less of it; `xenplan --version` still names its commit (XenplanBuildInfo's strings).
# `make install PREFIX=/usr/local DESTDIR=/tmp/root` stages it elsewhere.
PREFIX ?= /usr/local
DESTDIR ?=
RELEASE = $(SWIFT) build -c release --static-swift-stdlib -Xlinker -s --product xenplan --scratch-path .build-lab
# The man pages come from the command definitions, by swift-argument-parser's
# generate-manual plugin; it builds the package (in debug: the build `make build` and
# `make test` already made) and runs `xenplan --experimental-dump-help`.
MANUAL = .build/plugins/GenerateManual/outputs/xenplan
MANUAL_DATE = $(or $(XENPLAN_COMMIT_DATE),$(shell date +%F))
.PHONY: release manual install deb deb-test

release: setup
	$(RELEASE)

manual: setup
	rm -rf $(MANUAL)
	$(SWIFT) package plugin generate-manual --configuration debug --multi-page --date $(MANUAL_DATE) \
	  --authors "the xenplan authors"
	ls $(MANUAL)/xenplan.1 >/dev/null

SHARE = $(DESTDIR)$(PREFIX)/share
install: release manual
	bin="$$($(RELEASE) --show-bin-path)/xenplan" && \
	install -D -m 0755 "$$bin" "$(DESTDIR)$(PREFIX)/bin/xenplan" && \
	install -d "$(SHARE)/man/man1" && install -m 0644 $(MANUAL)/xenplan*.1 "$(SHARE)/man/man1/" && \
	rm -rf .build-deb/completions && mkdir -p .build-deb/completions && \
	for shell in bash zsh fish; do \
	  "$$bin" --generate-completion-script $$shell > .build-deb/completions/$$shell || exit 1; done && \
	install -D -m 0644 .build-deb/completions/bash "$(SHARE)/bash-completion/completions/xenplan" && \
	install -D -m 0644 .build-deb/completions/zsh "$(SHARE)/zsh/vendor-completions/_xenplan" && \
	install -D -m 0644 .build-deb/completions/fish "$(SHARE)/fish/vendor_completions.d/xenplan.fish"

# The Debian package, xenplan_VERSION_ARCH.deb here: the installation above under /usr,
# the systemd units of examples/ci, and the agent's policy as a conffile (scripts/deb.sh).
deb:
	rm -rf .build-deb/root
	$(MAKE) install PREFIX=/usr DESTDIR=$(CURDIR)/.build-deb/root
	scripts/deb.sh .build-deb/root . > .build-deb/package
	@cat .build-deb/package

# The package installed into a clean Debian 12 root (debootstrap, cached under
# /var/cache/xenplan-deb-test): xenplan --version, its man page and completions.
deb-test: deb
	scripts/deb-test.sh "$$(cat .build-deb/package)"

# The lab of real Xen (Tests/Lab/README.md): two Xen 4.17 dom0s under QEMU, the scenario
# over ssh, then on simulated hosts; writes docs/lab-report.md; fails unless every step
# passed. LAB_PART=one boots a single dom0 (no migration); LAB_ARGS=--keep keeps the run
# directory; XENPLAN_LAB_BINARY=PATH uses a prebuilt static xenplan.
LAB_PART ?= all
LAB_ARGS ?=
.PHONY: lab
lab: setup
	XENPLAN_LAB_VIA_MAKE=1 Tests/Lab/lab.py --part $(LAB_PART) $(LAB_ARGS)
