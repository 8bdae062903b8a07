#include "XenplanBuildInfo.h"

/* Defined by Package.swift from XENPLAN_COMMIT and XENPLAN_COMMIT_DATE in the
 * environment of `swift build` (the Makefile sets them from git). */
#ifndef XENPLAN_COMMIT
#define XENPLAN_COMMIT ""
#endif
#ifndef XENPLAN_COMMIT_DATE
#define XENPLAN_COMMIT_DATE ""
#endif

const char *xenplan_build_commit(void) { return XENPLAN_COMMIT; }

const char *xenplan_build_commit_date(void) { return XENPLAN_COMMIT_DATE; }
