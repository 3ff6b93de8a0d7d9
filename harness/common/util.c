/*
 * util.c -- the small helpers of the grader and the batch grader (see
 * util.h).  Nothing here knows about labs, tests or students.
 */
#include "util.h"

#include "../runner/mlhash.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* ------------------------------------------------------------ memory */

static void out_of_memory(void)
{
    fprintf(stderr, "%s: out of memory\n", program_invocation_short_name);
    exit(2);
}

void *xmalloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (!p)
        out_of_memory();
    return p;
}

void *xcalloc(size_t n, size_t size)
{
    void *p = calloc(n ? n : 1, size ? size : 1);
    if (!p)
        out_of_memory();
    return p;
}

void *xrealloc(void *p, size_t n)
{
    p = realloc(p, n ? n : 1);
    if (!p)
        out_of_memory();
    return p;
}

char *xstrdup(const char *s)
{
    char *d = strdup(s ? s : "");
    if (!d)
        out_of_memory();
    return d;
}

static char *xvprintf(const char *fmt, va_list ap)
{
    char *s = NULL;
    if (vasprintf(&s, fmt, ap) < 0)
        out_of_memory();
    return s;
}

char *xprintf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *s = xvprintf(fmt, ap);
    va_end(ap);
    return s;
}

/* ------------------------------------------------------------ strings */

void sb_addn(struct sbuf *b, const char *s, size_t n)
{
    if (b->len + n + 1 > b->cap) {
        b->cap = (b->len + n + 1) * 2;
        b->s = xrealloc(b->s, b->cap);
    }
    memcpy(b->s + b->len, s, n);
    b->len += n;
    b->s[b->len] = '\0';
}

void sb_add(struct sbuf *b, const char *s) { sb_addn(b, s, strlen(s)); }

void sb_printf(struct sbuf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *s = xvprintf(fmt, ap);
    va_end(ap);
    sb_add(b, s);
    free(s);
}

char *sb_take(struct sbuf *b)
{
    char *s = b->s ? b->s : xstrdup("");
    b->s = NULL;
    b->len = b->cap = 0;
    return s;
}

char **list_push(char **list, char *s)
{
    size_t n = list_len(list);
    list = xrealloc(list, (n + 2) * sizeof *list);
    list[n] = s;
    list[n + 1] = NULL;
    return list;
}

size_t list_len(char **list)
{
    size_t n = 0;
    while (list && list[n])
        n++;
    return n;
}

int list_has(char **list, const char *s)
{
    for (size_t i = 0; list && list[i]; i++)
        if (strcmp(list[i], s) == 0)
            return 1;
    return 0;
}

void list_free(char **list)
{
    for (size_t i = 0; list && list[i]; i++)
        free(list[i]);
    free(list);
}

char **split(const char *s, const char *seps)
{
    char **out = list_push(NULL, NULL); /* an empty list, never NULL */
    while (s && *s) {
        size_t skip = strspn(s, seps);
        s += skip;
        size_t n = strcspn(s, seps);
        if (n) {
            char *field = xmalloc(n + 1);
            memcpy(field, s, n);
            field[n] = '\0';
            out = list_push(out, field);
        }
        s += n;
    }
    return out;
}

char *one_line(const char *s, size_t max)
{
    if (!s)
        return xstrdup("");
    while (*s == ' ' || *s == '\n' || *s == '\t')
        s++;
    size_t n = strcspn(s, "\n");
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\r'))
        n--;
    if (n <= max) {
        char *d = xmalloc(n + 1);
        memcpy(d, s, n);
        d[n] = '\0';
        return d;
    }
    char *d = xmalloc(max + 4);
    memcpy(d, s, max);
    strcpy(d + max, "...");
    return d;
}

char *cut_text(const char *s, size_t max_lines, size_t max_chars)
{
    struct sbuf b = {0};
    size_t lines = 0;
    const char *p = s ? s : "";
    while (*p && lines < max_lines && b.len < max_chars) {
        size_t n = strcspn(p, "\n");
        if (b.len + n > max_chars)
            n = max_chars - b.len;
        sb_addn(&b, p, n);
        sb_add(&b, "\n");
        lines++;
        p += n;
        if (*p == '\n')
            p++;
        else if (*p) /* cut inside a line */
            break;
    }
    if (*p)
        sb_add(&b, "[... cut]\n");
    return sb_take(&b);
}

char *replace_all(const char *s, const char *from, const char *to)
{
    struct sbuf b = {0};
    size_t n = strlen(from);
    const char *hit;
    while (n && (hit = strstr(s, from))) {
        sb_addn(&b, s, (size_t)(hit - s));
        sb_add(&b, to);
        s = hit + n;
    }
    sb_add(&b, s);
    return sb_take(&b);
}

/* ------------------------------------------------------------ files */

char *path_join(const char *a, const char *b) { return xprintf("%s/%s", a, b); }

int mkdir_p(const char *path, int mode)
{
    char *p = xstrdup(path);
    for (char *q = p + 1; *q; q++) {
        if (*q != '/')
            continue;
        *q = '\0';
        if (mkdir(p, (mode_t)mode) != 0 && errno != EEXIST) {
            free(p);
            return -1;
        }
        *q = '/';
    }
    int rc = (mkdir(p, (mode_t)mode) == 0 || errno == EEXIST) && is_dir(p) ? 0 : -1;
    free(p);
    return rc;
}

int rm_rf(const char *path)
{
    struct stat st;
    if (lstat(path, &st) != 0)
        return errno == ENOENT ? 0 : -1;
    if (!S_ISDIR(st.st_mode))
        return unlink(path);
    if ((st.st_mode & S_IRWXU) != S_IRWXU)
        chmod(path, st.st_mode | S_IRWXU); /* else its entries cannot be removed */
    DIR *d = opendir(path);
    if (!d)
        return -1;
    struct dirent *e;
    int rc = 0;
    while ((e = readdir(d))) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        char *child = xprintf("%s/%s", path, e->d_name);
        rc |= rm_rf(child);
        free(child);
    }
    closedir(d);
    return rc | rmdir(path);
}

int is_file(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

int is_dir(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

char *read_file(const char *path, size_t limit, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    struct sbuf b = {0};
    char chunk[8192];
    size_t n;
    while (b.len < limit && (n = fread(chunk, 1, sizeof chunk, f)) > 0)
        sb_addn(&b, chunk, b.len + n > limit ? limit - b.len : n);
    fclose(f);
    if (len)
        *len = b.len;
    return sb_take(&b);
}

int copy_file(const char *from, const char *to)
{
    size_t len;
    char *text = read_file(from, (size_t)1 << 30, &len);
    if (!text)
        return -1;
    FILE *f = fopen(to, "wb");
    int rc = f && fwrite(text, 1, len, f) == len ? 0 : -1;
    if (f && fclose(f) != 0)
        rc = -1;
    free(text);
    return rc;
}

int rename_into_place(const char *tmp, const char *path)
{
    if (rename(tmp, path) != 0) {
        unlink(tmp);
        return -1;
    }
    return 0;
}

int fsync_dir_of(const char *path)
{
    char *dir = xstrdup(path);
    char *slash = strrchr(dir, '/');
    if (slash)
        *(slash == dir ? slash + 1 : slash) = '\0';
    int fd = open(slash ? dir : ".", O_RDONLY | O_DIRECTORY);
    free(dir);
    if (fd < 0)
        return -1;
    int rc = fsync(fd);
    close(fd);
    return rc;
}

/* All of text into fd (a write may be short or interrupted).  0 or -1. */
static int write_all(int fd, const char *text, size_t len)
{
    while (len) {
        ssize_t n = write(fd, text, len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return -1;
        text += n;
        len -= (size_t)n;
    }
    return 0;
}

/* The rename is the commit point; the temporary is named after the process
 * so that two writers of one path (two graders, two batch runs) never
 * write into each other's. */
int write_atomic(const char *path, const char *text, size_t len)
{
    char *tmp = xprintf("%s.tmp-%ld", path, (long)getpid());
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    int rc = fd >= 0 && write_all(fd, text, len) == 0 && fsync(fd) == 0 ? 0 : -1;
    if (fd >= 0 && close(fd) != 0)
        rc = -1;
    rc = rc == 0 ? rename_into_place(tmp, path) : (unlink(tmp), -1);
    free(tmp);
    if (rc == 0)
        fsync_dir_of(path);
    return rc;
}

char *abs_path(const char *path)
{
    if (path[0] == '/')
        return xstrdup(path);
    char cwd[PATH_MAX];
    if (!getcwd(cwd, sizeof cwd))
        return xstrdup(path);
    while (path[0] == '.' && path[1] == '/')
        path += 2;
    if (strcmp(path, ".") == 0)
        return xstrdup(cwd);
    return xprintf("%s/%s", cwd, path);
}

const char *base_name(const char *path)
{
    const char *slash = strrchr(path, '/');
    return slash ? slash + 1 : path;
}

uint64_t hash_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return 0;
    uint64_t h = ML_SEED_BASIS; /* cache keys already written depend on it */
    unsigned char buf[65536];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, f)) > 0)
        h = ml_fnv1a(h, buf, n);
    fclose(f);
    return h;
}

/* ------------------------------------------------------------ processes */

/* The child's side of run_capture and spawn_logged: stdin from /dev/null,
 * stdout and stderr both onto `out_fd`, then the program in `cwd`.  Never
 * returns; a program that cannot be run exits 127 with a line saying why. */
static _Noreturn void exec_child(char *const argv[], const char *cwd, int out_fd)
{
    int null = open("/dev/null", O_RDONLY);
    dup2(null, 0);
    dup2(out_fd, 1);
    dup2(out_fd, 2);
    if (cwd && chdir(cwd) != 0)
        _exit(127);
    execvp(argv[0], argv);
    fprintf(stderr, "cannot run %s: %s\n", argv[0], strerror(errno));
    _exit(127);
}

int run_capture(char *const argv[], const char *cwd, char **output, size_t limit)
{
    int fds[2];
    if (pipe(fds) != 0)
        return -1;
    pid_t pid = fork();
    if (pid < 0) {
        close(fds[0]);
        close(fds[1]);
        return -1;
    }
    if (pid == 0) {
        close(fds[0]);
        exec_child(argv, cwd, fds[1]);
    }
    close(fds[1]);
    struct sbuf b = {0};
    char chunk[4096];
    ssize_t n;
    while ((n = read(fds[0], chunk, sizeof chunk)) > 0 || (n < 0 && errno == EINTR))
        if (n > 0 && b.len < limit)
            sb_addn(&b, chunk, b.len + (size_t)n > limit ? limit - b.len : (size_t)n);
    close(fds[0]);
    int st;
    while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
        ;
    if (output)
        *output = sb_take(&b);
    else
        free(b.s);
    return exit_code_of(st);
}

int exit_code_of(int wait_status)
{
    return WIFSIGNALED(wait_status) ? 128 + WTERMSIG(wait_status) : WEXITSTATUS(wait_status);
}

int spawn_logged(char *const argv[], const char *cwd, const char *log)
{
    int fd = open(log, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0)
        return -1;
    pid_t pid = fork();
    if (pid == 0)
        exec_child(argv, cwd, fd);
    close(fd);
    return pid > 0 ? (int)pid : -1;
}

double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}
