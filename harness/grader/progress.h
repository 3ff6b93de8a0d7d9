/*
 * progress.h -- what the grader is doing while tests run, on stderr.
 *
 * On a terminal: one line per lab, redrawn in place,
 *     refcount  57/138  12 s  ~9 s left
 * and left as "refcount  138/138  21 s" at the end.  Otherwise (a log, a
 * pipe): a plain line at every tenth of the total and at least every 15 s.
 * Bold only on a terminal and without NO_COLOR; nothing with --quiet.
 * One lab at a time: progress_begin starts a new line.
 */
#ifndef MEMLAB_GRADER_PROGRESS_H
#define MEMLAB_GRADER_PROGRESS_H

#include "results.h"

#include <stddef.h>

/* `what` ("refcount", "calibrating refcount") is about to run `total` tests. */
void progress_begin(const struct grade *g, const char *what, size_t total);
/* `done` of them have ended (any verdict); may be called with the same
 * `done` again, and from one thread only. */
void progress_step(const struct grade *g, size_t done);
/* All of them have ended: the final line. */
void progress_end(const struct grade *g);

#endif /* MEMLAB_GRADER_PROGRESS_H */
