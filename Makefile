# The README's two commands (`make demo`, `make test`) and the developer loop. Every target calls a
# script, so each works on a fresh Debian 12 machine (scripts/install.sh runs first).
.PHONY: demo test check regress integration bench clean

demo:
	bash scripts/demo.sh

# The whole suite, as CI runs it.
test:
	bash scripts/test.sh

# fmt, clippy -D warnings, core unit/property/fixture tests: no PostgreSQL needed.
check:
	bash scripts/test.sh check

# Install the debug build, extension-script audits, pg_regress, executed docs examples.
regress:
	bash scripts/test.sh regress docs

# All integration suites, or some: make integration SUITES=upgrade,dump_restore
integration:
	bash scripts/test.sh integration$(if $(SUITES),:$(SUITES))

bench:
	bash benches/run.sh

clean:
	bash scripts/pg_cluster.sh destroy demo || true
	bash scripts/pg_cluster.sh destroy test || true
	bash scripts/pg_cluster.sh destroy bench || true
	cargo clean
