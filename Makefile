# provnews: `make demo` and `make test` work on a fresh clone with only python3 and make.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: install demo test test-fast docs eval bench mirror clean

$(STAMP): pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[test]'
	touch $(STAMP)

install: $(STAMP)  ## create .venv and install provnews with its test tools

demo: $(STAMP)  ## crawl the bundled offline mirror into data/demo.db and show what was stored
	$(BIN)/provnews demo

# The suite starts the CLI about 300 times (and crawls' stage workers): compiled once here, each
# process reads our modules' bytecode instead of compiling them again, as it would wherever
# PYTHONDONTWRITEBYTECODE is set, as on our build machines (about 0.4 s of CPU per process)
BYTECODE := $(BIN)/python -m compileall -q -j 0 crawler pipelines provnews data bench tests

test: $(STAMP)  ## the whole suite, the extraction eval gate included (two workers, one test file each)
	$(BYTECODE)
	$(BIN)/python -m pytest -q -n 2 --dist loadfile

test-fast: $(STAMP)  ## the quick loop: every test not marked slow (no whole crawls, services or browser)
	$(BYTECODE)
	$(BIN)/python -m pytest -q -n 2 -m "not slow"

docs: $(STAMP)  ## regenerate the README's command, site-key and column tables and docs/hostile-web.md's table from the code (cog)
	$(BIN)/python -m cogapp -r README.md docs/hostile-web.md

eval: $(STAMP)  ## score extraction on ../shared/corpus/zh-news next to bare trafilatura
	$(BIN)/provnews eval

bench: $(STAMP)  ## speed figures: extract vs trafilatura, dates, crawls, database, 1 vs 3 shared nodes, bytes per article, crawl speed vs a naive pipeline
	$(BIN)/python bench/bench_extract.py
	$(BIN)/python bench/bench_dates.py
	$(BIN)/python bench/bench_crawl.py
	$(BIN)/python bench/bench_incremental.py
	$(BIN)/python bench/bench_database.py
	$(BIN)/python bench/bench_shared.py
	$(BIN)/python bench/bench_capacity.py
	$(BIN)/python bench/bench_crawl_speed.py

mirror: $(STAMP)  ## rebuild data/mirror from data/mirror/stories.py and build.py
	cd data/mirror && ../../$(BIN)/python build.py

clean:
	rm -rf $(VENV) data/*.db data/*.db-wal data/*.db-shm .pytest_cache
