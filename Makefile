# Makefile — builds and installs the dcb PostgreSQL extension with PGXS.
#
#   make && make install        build and install into the PostgreSQL found by $(PG_CONFIG)
#   make installcheck           pg_regress (tests/regress) + isolation tests (tests/isolation)
#                               against a running server (PGHOST/PGPORT/PGUSER)
#
# The client library, unit tests and tools are built with CMake (CMakeLists.txt); scripts/test runs all.

EXTENSION   = dcb
EXTVERSION  = 0.2.0
MODULE_big  = dcb
OBJS        = $(patsubst %.cpp,%.o,$(wildcard extension/core/*.cpp extension/pg/*.cpp))
DATA        = $(wildcard sql/$(EXTENSION)--*.sql)
DOCS        =

PG_CONFIG  ?= pg_config
INCLUDEDIR_SERVER := $(shell $(PG_CONFIG) --includedir-server)

# The extension's C++ standard; tests/unit builds the core with the same one (it reads this line).
DCB_EXTENSION_STD = c++17
# -fno-exceptions -fno-rtti: the PostgreSQL layer never throws (an exception must not cross C
# frames, see extension/pg/postgres.hpp), and the core is noexcept, so neither is needed.
PG_CPPFLAGS = -Iextension -isystem $(INCLUDEDIR_SERVER)
PG_CXXFLAGS = -std=$(DCB_EXTENSION_STD) -Wall -Wextra -Werror -Wno-register -Wno-missing-field-initializers \
              -fno-exceptions -fno-rtti -fno-omit-frame-pointer -fvisibility-inlines-hidden
SHLIB_LINK += -lstdc++

REGRESS      = $(patsubst tests/regress/sql/%.sql,%,$(sort $(wildcard tests/regress/sql/*.sql)))
REGRESS_OPTS = --inputdir=tests/regress --load-extension=$(EXTENSION) --dbname=dcb_regress
ISOLATION      = $(patsubst tests/isolation/specs/%.spec,%,$(sort $(wildcard tests/isolation/specs/*.spec)))
ISOLATION_OPTS = --inputdir=tests/isolation --load-extension=$(EXTENSION) --dbname=dcb_isolation

# JIT bitcode is of no use for this module and clang-14 would compile it as C++14.
override with_llvm = no

PGXS := $(shell $(PG_CONFIG) --pgxs)
include $(PGXS)

# Header dependencies (packaged PGXS builds without --enable-depend).
override CXXFLAGS += -MMD -MP
-include $(OBJS:.o=.d)
EXTRA_CLEAN += $(OBJS:.o=.d)

# C++ sources are formatted by .clang-format; `make format` rewrites them, `make format-check`
# (run by scripts/test) fails on any difference.
FORMAT_SOURCES = $(wildcard extension/*/*.cpp extension/*/*.hpp tests/unit/*.cpp)
.PHONY: format format-check
format:
	clang-format -i $(FORMAT_SOURCES)
format-check:
	clang-format --dry-run --Werror $(FORMAT_SOURCES)
