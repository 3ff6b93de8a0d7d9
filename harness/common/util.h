/*
 * util.h -- the small helpers of the grader (harness/grader) and of the
 * batch grader (harness/batch): memory that never returns NULL, strings,
 * paths and files, and running a command to capture its output.  Nothing
 * here knows about labs, tests or students.
 */
#ifndef MEMLAB_COMMON_UTIL_H
#define MEMLAB_COMMON_UTIL_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

/* Allocation that exits the program with status 2 on failure (the grader's
 * "could not grade", the batch grader's "could not run"). */
void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* A growing string. */
struct sbuf {
    char *s;
    size_t len, cap;
};
void sb_add(struct sbuf *b, const char *s);
void sb_addn(struct sbuf *b, const char *s, size_t n);
void sb_printf(struct sbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
char *sb_take(struct sbuf *b); /* the string ("" when empty); the buffer is reset */

/* NULL-terminated lists of strings. */
char **list_push(char **list, char *s);
size_t list_len(char **list);
int list_has(char **list, const char *s);
void list_free(char **list);

/* Split on any character of `seps`; empty fields are dropped. */
char **split(const char *s, const char *seps);

/* Paths and files. */
char *path_join(const char *a, const char *b); /* "a/b" */
/* mkdir -p: 0 when path is a folder afterwards, else -1. */
int mkdir_p(const char *path, int mode);
/* rm -rf without following symbolic links; folders without write permission
 * (an archive may unpack some) are opened up first.  Absent is fine: 0. */
int rm_rf(const char *path);
int is_file(const char *path);
int is_dir(const char *path);
char *read_file(const char *path, size_t limit, size_t *len); /* NULL if unreadable */
int copy_file(const char *from, const char *to);
/* Write `text` to path.tmp-<pid>, flush it to disk and rename it over path:
 * a reader (or a run restarted after a crash) sees the old file or the new,
 * never half of one.  0 or -1. */
int write_atomic(const char *path, const char *text, size_t len);
int rename_into_place(const char *tmp, const char *path);
int fsync_dir_of(const char *path); /* flush path's folder entry (after a rename) */
char *abs_path(const char *path);   /* absolute, even when it does not exist yet */
const char *base_name(const char *path);
uint64_t hash_file(const char *path); /* mlhash.h's FNV-1a of the contents, 0 if unreadable */

/* Keep the first line of `s`, at most `max` characters (adds "..."). */
char *one_line(const char *s, size_t max);
/* Keep at most `max_lines` lines and `max_chars` characters of `s`. */
char *cut_text(const char *s, size_t max_lines, size_t max_chars);
/* Replace every occurrence of `from` in s by `to` (new string). */
char *replace_all(const char *s, const char *from, const char *to);
/* clean.c: `s` with control characters and invalid UTF-8 escaped as \xNN
 * (newlines and tabs kept): safe for JSON, XML and a terminal.  NULL for
 * NULL.  clean_in_place replaces *s (freed) by its clean copy. */
char *clean_text(const char *s);
void clean_in_place(char **s);

/* Run argv (no shell) in `cwd` (NULL: here); stdout and stderr together into
 * *output (kept up to `limit` bytes) when output is not NULL.  Returns the
 * exit status, 128+signal when killed, -1 when it could not start. */
int run_capture(char *const argv[], const char *cwd, char **output, size_t limit);

/* A wait status as one number: the exit status, 128+signal when killed. */
int exit_code_of(int wait_status);

/* Start argv (no shell) in `cwd`, stdin from /dev/null, stdout and stderr
 * into the file `log` (created or truncated), and return at once: its pid,
 * -1 when it could not start.  The caller waits for it. */
int spawn_logged(char *const argv[], const char *cwd, const char *log);

/* Seconds since an arbitrary start (monotonic). */
double now_seconds(void);

#endif /* MEMLAB_COMMON_UTIL_H */
