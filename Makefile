# Quick start:  make demo   (set up, build, plan the example lab against simulated hosts)
#               make test   (the whole test suite)
SWIFT ?= swift
XENPLAN = .build/debug/xenplan

.PHONY: setup build demo test bench clean

setup:
	scripts/setup.sh

build: setup
	$(SWIFT) build

demo: build
	$(XENPLAN) validate examples/lab
	$(XENPLAN) plan examples/lab

test: setup
	$(SWIFT) test

bench: setup
	scripts/bench.sh

clean:
	rm -rf .build
