# The two commands of the README. Both run scripts/install.sh first, so they work on a fresh
# Debian 12 machine.
.PHONY: demo test bench clean

demo:
	bash scripts/demo.sh

test:
	bash scripts/test.sh

bench:
	bash benches/run.sh

clean:
	bash scripts/pg_cluster.sh destroy demo || true
	bash scripts/pg_cluster.sh destroy test || true
	bash scripts/pg_cluster.sh destroy bench || true
	cargo clean
