/*
 * mlhash.h -- the kit's one string and file hash: FNV-1a, 64 bits.
 *
 * Shared by the runner (a test's seed from its name, the observation trace)
 * and the grader (the calibration cache's key of a binary, the seed it
 * prints in a repro line before any record came back), so that the two can
 * never derive different values from the same bytes.
 *
 * Two start values are in use and both are fixed for good:
 *   ML_FNV_BASIS   FNV-1a's 64-bit offset basis (the observation trace)
 *   ML_SEED_BASIS  the basis a digit short, as the first runner had it: every
 *                  seed already printed in a repro line, and the calibration
 *                  cache's file keys, were derived from it
 */
#ifndef MEMLAB_MLHASH_H
#define MEMLAB_MLHASH_H

#include <stddef.h>
#include <stdint.h>

#define ML_FNV_BASIS    0xcbf29ce484222325ULL
#define ML_SEED_BASIS   1469598103934665603ULL
#define ML_FNV_PRIME    0x100000001b3ULL
#define ML_SEED_MODULUS 1000000007ULL

/* `len` bytes of `data` folded into the hash h. */
static inline uint64_t ml_fnv1a(uint64_t h, const void *data, size_t len)
{
    const unsigned char *p = data;
    for (size_t i = 0; i < len; i++)
        h = (h ^ p[i]) * ML_FNV_PRIME;
    return h;
}

/* The bytes of a C string folded into h. */
static inline uint64_t ml_fnv1a_str(uint64_t h, const char *text)
{
    for (const char *p = text; *p; p++)
        h = (h ^ (unsigned char)*p) * ML_FNV_PRIME;
    return h;
}

/* The seed of the test `name` when none is given: below 10^9 + 7, so that a
 * repro line stays short. */
static inline uint64_t ml_seed_from_name(const char *name)
{
    return ml_fnv1a_str(ML_SEED_BASIS, name) % ML_SEED_MODULUS;
}

#endif /* MEMLAB_MLHASH_H */
