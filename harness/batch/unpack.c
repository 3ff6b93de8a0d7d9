/*
 * unpack.c -- a student's archive turned into a folder the grader can read.
 *
 * Each archive is unpacked once, with tar or unzip, into a temporary folder
 * that is renamed to OUT/unpacked/<student> when complete: a restart reuses
 * it, an interrupted unpack leaves only a temporary that is thrown away.
 * Symbolic links are removed (a submission is plain files), and a lone top
 * folder (the student zipped their folder) is looked through.
 */
#include "batch.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

/* ------------------------------------------------------------ run tar / unzip */

static int run_quiet(char *const argv[], const char *log_path)
{
    pid_t pid = fork();
    if (pid < 0)
        return -1;
    if (pid == 0) {
        int fd = open(log_path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        if (fd >= 0) {
            dup2(fd, 1);
            dup2(fd, 2);
            close(fd);
        }
        execvp(argv[0], argv);
        _exit(127);
    }
    int st;
    while (waitpid(pid, &st, 0) < 0)
        if (errno != EINTR)
            return -1;
    return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

static int is_zip(const char *path)
{
    size_t n = strlen(path);
    return n > 4 && strcmp(path + n - 4, ".zip") == 0;
}

static int extract(const char *archive, const char *into, const char *log_path)
{
    if (is_zip(archive)) {
        char *argv[] = {"unzip", "-q", "-o", (char *)archive, "-d", (char *)into, NULL};
        return run_quiet(argv, log_path);
    }
    /* GNU tar refuses members with '..' and strips a leading '/'. */
    char *argv[] = {"tar",
                    "-xf",
                    (char *)archive,
                    "-C",
                    (char *)into,
                    "--no-same-owner",
                    "--no-same-permissions",
                    NULL};
    return run_quiet(argv, log_path);
}

/* ------------------------------------------------------------ tidy the result */

static int drop_symlink(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st, (void)ftw;
    if (flag == FTW_SL)
        unlink(path);
    return 0;
}

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
    char *log_path = xprintf("%s/.%s.log", base, s->name);
    rm_rf(tmp);
    int rc = mkdir_p(tmp, 0755) == 0 ? extract(s->source, tmp, log_path) : -1;
    if (rc == 0) {
        nftw(tmp, drop_symlink, 16, FTW_PHYS);
        rc = rename(tmp, final) == 0 ? 0 : -1;
    }
    if (rc == 0) {
        unlink(log_path);
        set_root(s, final);
    } else {
        rm_rf(tmp);
        s->unpack_failed = 1;
        s->unpack_error = xprintf("cannot unpack %s", s->source);
    }
    free(base), free(final), free(tmp), free(log_path);
    return rc == 0 ? 0 : -1;
}
