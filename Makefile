.PHONY: demo test bench lint
demo:
	bash scripts/demo.sh
test:
	bash scripts/test.sh
bench:
	for b in benchmarks/*.py; do .venv/bin/python $$b; done
lint:
	.venv/bin/ruff check .
