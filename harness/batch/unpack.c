/*
 * unpack.c -- a student's archive turned into a folder the grader can read.
 *
 * Each archive is read once with libarchive (zip, tar and its compressed
 * forms, whatever the name says) into a temporary folder that is renamed to
 * OUT/unpacked/<student> when complete: a restart reuses it, an interrupted
 * unpack leaves only a temporary that is thrown away.  A submission is plain
 * files and folders, so an archive is refused whole, while it is read and
 * before anything of the entry is written, when an entry
 *   - names a path outside the folder (absolute, or a ".." component),
 *   - is a symbolic or hard link, a device, a FIFO or a socket,
 *   - or is larger than UNPACK_ENTRY_LIMIT (or the archive, in all, larger
 *     than UNPACK_TOTAL_LIMIT): counted on the bytes read, not the header's
 *     claim, which a zip may leave out.
 * The reason names the entry (status bad-archive in the gradebook).
 * libarchive's own secure-extraction flags stay on beneath these checks.
 * A lone top folder (the student zipped their folder) is looked through.
 */
#include "batch.h"

#include <archive.h>
#include <archive_entry.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* A lab's files are a few hundred kilobytes; these leave room and still
 * stop an archive bomb long before the disk fills. */
#define UNPACK_ENTRY_LIMIT (16L << 20)
#define UNPACK_TOTAL_LIMIT (64L << 20)

/* ------------------------------------------------------------ one entry */

/* Why `path` may not be written inside the folder, or NULL. */
static const char *path_refusal(const char *path)
{
    if (path[0] == '/')
        return "is an absolute path";
    for (const char *p = path; *p;) {
        size_t n = strcspn(p, "/");
        if (n == 2 && p[0] == '.' && p[1] == '.')
            return "leaves the folder (a '..' component)";
        p += n + (p[n] == '/');
    }
    return NULL;
}

/* Why entry `e` is refused, or NULL: its path, then its kind. */
static const char *entry_refusal(struct archive_entry *e)
{
    const char *path = archive_entry_pathname(e);
    if (!path || !*path)
        return "has no name";
    const char *why = path_refusal(path);
    if (why)
        return why;
    if (archive_entry_hardlink(e))
        return "is a hard link";
    switch (archive_entry_filetype(e)) {
    case AE_IFREG: break;
    case AE_IFDIR: return NULL;
    case AE_IFLNK: return "is a symbolic link";
    default: return "is a device, FIFO or socket";
    }
    if (archive_entry_size_is_set(e) && archive_entry_size(e) > UNPACK_ENTRY_LIMIT)
        return "is too large";
    return NULL;
}

/* Copy the current entry's data, counting it against both limits (*total
 * runs over the archive).  NULL on success, else the reason. */
static const char *copy_data(struct archive *in, struct archive *out, long *total)
{
    long entry = 0;
    const void *buf;
    size_t len;
    la_int64_t offset;
    int rc;
    while ((rc = archive_read_data_block(in, &buf, &len, &offset)) == ARCHIVE_OK) {
        entry += (long)len;
        *total += (long)len;
        if (entry > UNPACK_ENTRY_LIMIT)
            return "is too large";
        if (*total > UNPACK_TOTAL_LIMIT)
            return "makes the archive too large";
        if (archive_write_data_block(out, buf, len, offset) != ARCHIVE_OK)
            return archive_error_string(out);
    }
    return rc == ARCHIVE_EOF ? NULL : archive_error_string(in);
}

/* ------------------------------------------------------------ the archive */

static struct archive *open_writer(void)
{
    struct archive *out = archive_write_disk_new();
    archive_write_disk_set_options(
        out, ARCHIVE_EXTRACT_SECURE_NODOTDOT | ARCHIVE_EXTRACT_SECURE_SYMLINKS |
                 ARCHIVE_EXTRACT_SECURE_NOABSOLUTEPATHS | ARCHIVE_EXTRACT_NO_OVERWRITE);
    return out;
}

/* Each entry of `in` checked, then written under `into` (the current
 * folder).  NULL on success, else the reason (new string). */
static char *extract_entries(struct archive *in, struct archive *out)
{
    struct archive_entry *e;
    long total = 0;
    int rc;
    while ((rc = archive_read_next_header(in, &e)) == ARCHIVE_OK) {
        const char *why = entry_refusal(e);
        if (!why && archive_write_header(out, e) != ARCHIVE_OK)
            why = archive_error_string(out);
        if (!why && archive_entry_filetype(e) == AE_IFREG)
            why = copy_data(in, out, &total);
        if (!why && archive_write_finish_entry(out) != ARCHIVE_OK)
            why = archive_error_string(out);
        if (why)
            return xprintf("entry '%s' %s",
                           archive_entry_pathname(e) ? archive_entry_pathname(e) : "?", why);
    }
    if (rc != ARCHIVE_EOF)
        return xprintf("not a readable archive (%s)", archive_error_string(in));
    return NULL;
}

/* Unpack `archive` into the folder `into`.  NULL on success, else why. */
static char *extract(const char *archive, const char *into)
{
    struct archive *in = archive_read_new();
    archive_read_support_filter_all(in);
    archive_read_support_format_all(in);
    char *why = NULL;
    if (archive_read_open_filename(in, archive, 1 << 16) != ARCHIVE_OK) {
        why = xprintf("not a readable archive (%s)", archive_error_string(in));
        archive_read_free(in);
        return why;
    }
    /* libarchive writes paths relative to the working directory. */
    char *here = getcwd(NULL, 0);
    struct archive *out = open_writer();
    if (!here || chdir(into) != 0)
        why = xprintf("cannot enter %s", into);
    else
        why = extract_entries(in, out);
    if (here && chdir(here) != 0 && !why)
        why = xprintf("cannot return to %s", here);
    free(here);
    archive_write_free(out);
    archive_read_free(in);
    return why;
}

/* ------------------------------------------------------------ tidy the result */

/* The only entry of dir when it is a folder other than labs/ (which the
 * grader reads as is), else NULL.  macOS's __MACOSX litter does not count. */
static char *lone_folder(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d)
        return NULL;
    char *only = NULL;
    int count = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0 ||
            strcmp(e->d_name, "__MACOSX") == 0)
            continue;
        if (++count == 1)
            only = path_join(dir, e->d_name);
    }
    closedir(d);
    if (count == 1 && is_dir(only) && strcmp(strrchr(only, '/') + 1, "labs") != 0)
        return only;
    free(only);
    return NULL;
}

static void set_root(struct student *s, const char *dir)
{
    char *root = xstrdup(dir), *next;
    while ((next = lone_folder(root))) {
        free(root);
        root = next;
    }
    s->dir = root;
}

/* ------------------------------------------------------------ public */

int unpack_student(const char *out, struct student *s)
{
    if (s->dir || s->unpack_failed)
        return s->unpack_failed ? -1 : 0;
    if (!s->is_archive) {
        s->dir = xstrdup(s->source);
        return 0;
    }
    char *base = path_join(out, "unpacked");
    char *final = path_join(base, s->name);
    if (is_dir(final)) { /* unpacked by an earlier run */
        set_root(s, final);
        free(base), free(final);
        return 0;
    }
    char *tmp = xprintf("%s/.%s.tmp-%ld", base, s->name, (long)getpid());
    rm_rf(tmp);
    char *why =
        mkdir_p(tmp, 0755) == 0 ? extract(s->source, tmp) : xprintf("cannot create %s", tmp);
    if (!why && rename(tmp, final) != 0)
        why = xprintf("cannot rename %s", tmp);
    if (!why) {
        set_root(s, final);
    } else {
        rm_rf(tmp);
        s->unpack_failed = 1;
        s->unpack_error = xprintf("cannot unpack %s: %s", base_name(s->source), why);
    }
    int rc = why ? -1 : 0;
    free(why), free(base), free(final), free(tmp);
    return rc;
}
