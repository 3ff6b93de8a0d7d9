/*
 * generators-oracle.c -- prints the event traces of gen_oracle.py's scenarios
 * as the reference generators layer produces them, in the oracle's format
 * (without its first "python X.Y.Z" line).
 *
 *     generators-oracle            every scenario, in the oracle's order
 *     generators-oracle NAME...    the named ones
 */
#include "memlab/runtime.h"
#include "oracle_port.h"

#include <stdio.h>

int main(int argc, char **argv)
{
    int rc = 0;
    ml_runtime_init();
    if (argc == 1) {
        for (int i = 0; i < oracle_nscenarios; i++)
            oracle_run(oracle_scenario_name(i), stdout);
    }
    for (int i = 1; i < argc; i++) {
        if (oracle_run(argv[i], stdout) < 0) {
            fprintf(stderr, "unknown scenario: %s\n", argv[i]);
            rc = 2;
        }
    }
    ml_runtime_fini();
    return rc;
}
