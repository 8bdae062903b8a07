# Quick start:  make demo   (set up, build, plan, apply and plan again the example lab on simulated hosts)
#               make test   (the whole test suite)
SWIFT ?= swift
XENPLAN = .build/debug/xenplan

.PHONY: setup build demo test bench clean

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
	  echo "+ xenplan apply examples/lab --auto-approve" && $(XENPLAN) apply examples/lab --auto-approve --state-dir "$$demo" && echo && \
	  echo "+ xenplan plan examples/lab" && $(XENPLAN) plan examples/lab --state-dir "$$demo"; \
	  status=$$?; rm -rf "$$demo"; exit $$status

test: setup
	$(SWIFT) test

bench: setup
	scripts/bench.sh

clean:
	rm -rf .build
