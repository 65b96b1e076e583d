# autoxfer: PGXS build.  `make && make install` builds and installs the
# extension; `make test`, `make demo`, `make bench` and `make fuzz` do
# their own set-up (packages, a throwaway cluster) through test/run.sh.

.DEFAULT_GOAL := all

EXTENSION = autoxfer
EXTVERSION = 0.1.0

MODULE_big = autoxfer
# Every C file of src/ is part of the library.
OBJS = $(patsubst %.c,%.o,$(sort $(wildcard src/*.c)))

# The install script is assembled from its parts, in name order.
INSTALL_PARTS = $(sort $(wildcard sql/install/*.sql))
DATA_built = $(EXTENSION)--$(EXTVERSION).sql
DATA = $(sort $(wildcard sql/upgrade/$(EXTENSION)--*--*.sql))

# pg_regress suites: one sql/NAME.sql with expected/NAME.out each, run in
# name order.
REGRESS = $(sort $(basename $(notdir $(wildcard sql/*.sql))))
REGRESS_OPTS = --inputdir=. --load-extension=plpgsql

# -Wextra as the brief asks; unused parameters are PostgreSQL's own idiom (its
# inline headers and V1 call convention), so that one warning is off.
PG_CFLAGS = -Wall -Wextra -Werror -Wno-unused-parameter

EXTRA_CLEAN = results regression.diffs regression.out tmp_check \
	test/isolation/output_iso test/fuzz/out

PG_CONFIG ?= $(firstword $(wildcard /usr/lib/postgresql/15/bin/pg_config) pg_config)
PGXS := $(shell $(PG_CONFIG) --pgxs 2>/dev/null)

# Targets that set up their own environment: they work before PostgreSQL's
# development files are installed, so they come before PGXS.
.PHONY: test demo bench fuzz
test:
	@bash test/run.sh test
demo:
	@bash test/run.sh demo
bench:
	@bash test/run.sh bench
fuzz:
	@bash test/run.sh fuzz

ifneq ($(PGXS),)
include $(PGXS)
else
all install installcheck clean:
	@echo "pg_config not found: install postgresql-server-dev-15, or run 'make test', which does." >&2
	@exit 1
endif

$(EXTENSION)--$(EXTVERSION).sql: $(INSTALL_PARTS)
	cat $^ > $@
