/*
 * postgres.hpp — the PostgreSQL headers of the glue layer, in one extern "C" block, and the rules of
 * this directory.
 *
 * Everything under extension/pg runs in the "PostgreSQL regime": any call may ereport(ERROR), which
 * longjmps past our frames. So code here keeps only trivially destructible objects on the stack
 * (PODs, raw pointers, string_view), allocates with palloc in the current memory context, and never
 * throws: the directory is compiled with -fno-exceptions and -fno-rtti, and the types that live on
 * its frames say so with DCB_PG_FRAME_TYPE. The pure core (extension/core) is noexcept and never
 * calls PostgreSQL, so nothing ever unwinds through the other regime.
 */
#pragma once

/* C++ headers first: PostgreSQL's port.h redefines printf-family names. */
#include <algorithm>
#include <cstdint>
#include <string_view>
#include <type_traits>

extern "C" {
#include "postgres.h"

#include "access/genam.h"
#include "access/heapam.h"
#include "access/relscan.h"
#include "access/table.h"
#include "access/tableam.h"
#include "access/transam.h"
#include "access/twophase.h"
#include "access/xact.h"
#include "access/xlog.h"
#include "catalog/namespace.h"
#include "catalog/pg_extension.h"
#include "catalog/pg_operator.h"
#include "catalog/pg_type.h"
#include "commands/extension.h"
#include "commands/sequence.h"
#include "commands/trigger.h"
#include "executor/executor.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "nodes/makefuncs.h"
#include "pgstat.h"
#include "port/atomics.h"
#include "portability/instr_time.h"
#include "storage/bufmgr.h"
#include "storage/condition_variable.h"
#include "storage/ipc.h"
#include "storage/latch.h"
#include "storage/lmgr.h"
#include "storage/lock.h"
#include "storage/proc.h"
#include "storage/procarray.h"
#include "storage/shmem.h"
#include "tcop/utility.h"
#include "utils/acl.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/datetime.h"
#include "utils/datum.h"
#include "utils/fmgroids.h"
#include "utils/guc.h"
#include "utils/inval.h"
#include "utils/json.h"
#include "utils/jsonb.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/numeric.h"
#include "utils/rel.h"
#include "utils/resowner.h"
#include "utils/rls.h"
#include "utils/snapmgr.h"
#include "utils/syscache.h"
#include "utils/timestamp.h"
#include "utils/tuplesort.h"
#include "utils/tuplestore.h"
#include "utils/uuid.h"
}

/* A type that lives on frames an ereport() may longjmp over: it must have no destructor to skip. */
#define DCB_PG_FRAME_TYPE(T)                                                                                           \
	static_assert(std::is_trivially_destructible_v<T>, #T " lives on PostgreSQL frames: it must be trivially "         \
														  "destructible")
