/*
 * module.cpp — module magic and initialisation.
 *
 * The module needs no shared memory, so shared_preload_libraries is not required: the library is
 * loaded on first use of a dcb function.
 */
#include "pg/catalog.hpp"
#include "pg/locks.hpp"
#include "pg/settings.hpp"

extern "C" {
PG_MODULE_MAGIC;
void _PG_init(void);
}

extern "C" void
_PG_init(void)
{
	dcb::pg::define_settings();
	dcb::pg::register_catalog_invalidation();
	dcb::pg::register_lock_accounting();
}
