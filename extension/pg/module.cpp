/*
 * module.cpp — module magic and initialisation.
 *
 * Everything works when the library is loaded on first use of a dcb function. Loaded through
 * shared_preload_libraries, it also gets shared memory (shmem.hpp): dcb_wait is then woken by
 * commits instead of polling, and dcb_stats counts.
 */
#include "pg/catalog.hpp"
#include "pg/locks.hpp"
#include "pg/settings.hpp"
#include "pg/shmem.hpp"
#include "pg/stats.hpp"
#include "pg/wait.hpp"

extern "C" {
PG_MODULE_MAGIC;
void _PG_init(void);
}

extern "C" void
_PG_init(void)
{
	/* settings of the shared memory and of waiting first: define_settings reserves the prefix */
	dcb::pg::request_shared_memory();
	dcb::pg::define_wait_settings();
	dcb::pg::define_settings();
	dcb::pg::register_catalog_invalidation();
	dcb::pg::register_lock_accounting();
	dcb::pg::register_stats_accounting();
	dcb::pg::register_wake_ups();
}
