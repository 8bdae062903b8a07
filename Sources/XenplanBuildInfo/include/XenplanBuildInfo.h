/* The commit xenplan was built from, for `xenplan --version`. The values are compiled
 * into BuildInfo.c alone (Package.swift passes them to that file only), so that a new
 * commit recompiles one C file and relinks, instead of rebuilding every module. */
#ifndef XENPLAN_BUILD_INFO_H
#define XENPLAN_BUILD_INFO_H

/* The abbreviated commit hash, with "-dirty" when the tree had uncommitted changes;
 * "" when the build was not told (a plain `swift build`). */
const char *xenplan_build_commit(void);

/* The commit's date, YYYY-MM-DD; "" when the build was not told. */
const char *xenplan_build_commit_date(void);

#endif
