# Quick start:  make demo   (set up, build, plan, apply and plan again the example lab on simulated hosts)
#               make test   (the whole test suite)
#               make soak   (the property tests at length: 100,000 generated steps)
SWIFT ?= swift
XENPLAN = .build/debug/xenplan

.PHONY: setup build demo test bench clean format lint

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

lint:
	$(SWIFT) format lint --strict --recursive $(FORMATTED)

clean:
	rm -rf .build

# The lab of real Xen (Tests/Lab/README.md): two Xen 4.17 dom0s under QEMU, the scenario
# over ssh, then on simulated hosts; writes docs/lab-report.md; fails unless every step
# passed. LAB_PART=one boots a single dom0 (no migration); LAB_ARGS=--keep keeps the run
# directory; XENPLAN_LAB_BINARY=PATH uses a prebuilt static xenplan.
LAB_PART ?= all
LAB_ARGS ?=
.PHONY: lab
lab: setup
	XENPLAN_LAB_VIA_MAKE=1 Tests/Lab/lab.py --part $(LAB_PART) $(LAB_ARGS)
