/*
 * store_series.c: series, their members and their supersession edges.
 */
#include "store.h"
#include "store_impl.h"

const char *const store_series_sql[STMT_SERIES__END - STMT_SERIES_FIRST] = {
	[STMT_SERIES_PLACEHOLDER - STMT_SERIES_FIRST] = "SELECT 1",
};
