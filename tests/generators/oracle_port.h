/*
 * oracle_port.h -- the generator functions of shared/oracles/gen_oracle.py,
 * written as resumable C functions, and a driver that replays its scenarios
 * and prints the same event trace (see the oracle's README for the grammar).
 * Shared by the lab's tests (exact traces) and the kit's differential test
 * (tests/kit/generators-oracle.sh).
 */
#ifndef ORACLE_PORT_H
#define ORACLE_PORT_H

#include "memlab/object.h"

#include <stdio.h>

/* Number of scenarios and their names, in the oracle's order. */
extern const int oracle_nscenarios;
const char *oracle_scenario_name(int i);

/* Print scenario `name` as the oracle does (from its "scenario" line on).
 * Returns 0, or -1 if there is no such scenario.  Needs a running runtime;
 * leaves nothing allocated behind. */
int oracle_run(const char *name, FILE *out);

/* The trace of one scenario as a malloc'd string (free it), or NULL. */
char *oracle_trace(const char *name);

/* The oracle's generator functions (new generators, arguments borrowed). */
ml_object *oracle_counter(long n);
ml_object *oracle_catcher(void);
ml_object *oracle_stubborn(void);
ml_object *oracle_returns_on_close(void);
ml_object *oracle_leaks_stopiteration(void);
ml_object *oracle_tuple_result(void);
ml_object *oracle_inner(void);
ml_object *oracle_outer(void);
ml_object *oracle_over_list(void);
ml_object *oracle_outer_pep479(void);
ml_object *oracle_selfref(ml_object *box);

/* The events the bodies logged since the last call (malloc'd, one
 * "    ev TEXT" per line, as in the trace, free it); the log is emptied. */
char *oracle_take_events(void);

#endif /* ORACLE_PORT_H */
