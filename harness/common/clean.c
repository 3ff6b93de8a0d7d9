/*
 * clean.c -- text that came from a student's code or compiler, made safe to
 * print: to results.json (JSON strings must be UTF-8), junit.xml (XML 1.0
 * forbids most control characters) and the terminal (no escape sequences).
 *
 * Kept as is: valid UTF-8, newline, tab.  Escaped as \xNN: every other
 * control character (ESC, BEL, CR, backspace...), DEL, and each byte of an
 * invalid, overlong or surrogate UTF-8 sequence, of a C1 control (U+0080..
 * U+009F: U+009B is a terminal's CSI) and of a noncharacter (U+FDD0..U+FDEF
 * and the last two code points of every plane, U+FFFE/U+FFFF, U+1FFFE...),
 * which XML 1.0 forbids or which libxml2 refuses to read back.  The result
 * is at most 4x as long as the input.
 */
#include "util.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* Code points that XML 1.0 or a terminal must not receive as they are,
 * although UTF-8 can encode them. */
static int unprintable(uint32_t c)
{
    return (c >= 0x80 && c <= 0x9f) || (c >= 0xfdd0 && c <= 0xfdef) || (c & 0xfffe) == 0xfffe;
}

/* Length of the valid, printable UTF-8 sequence at p (2..4), or 0. */
static size_t utf8_sequence(const unsigned char *p)
{
    uint32_t c;
    size_t n;
    if (p[0] >= 0xc2 && p[0] <= 0xdf)
        n = 2, c = p[0] & 0x1f;
    else if (p[0] >= 0xe0 && p[0] <= 0xef)
        n = 3, c = p[0] & 0x0f;
    else if (p[0] >= 0xf0 && p[0] <= 0xf4)
        n = 4, c = p[0] & 0x07;
    else
        return 0;
    for (size_t i = 1; i < n; i++) {
        if ((p[i] & 0xc0) != 0x80) /* also stops at the terminating NUL */
            return 0;
        c = (c << 6) | (p[i] & 0x3f);
    }
    if ((n == 3 && c < 0x800) || (n == 4 && (c < 0x10000 || c > 0x10ffff)) ||
        (c >= 0xd800 && c <= 0xdfff) || unprintable(c))
        return 0;
    return n;
}

char *clean_text(const char *s)
{
    if (!s)
        return NULL;
    struct sbuf b = {0};
    const unsigned char *p = (const unsigned char *)s;
    while (*p) {
        size_t n;
        if (*p == '\n' || *p == '\t' || (*p >= 0x20 && *p < 0x7f)) {
            sb_addn(&b, (const char *)p, 1);
            p++;
        } else if (*p >= 0x80 && (n = utf8_sequence(p)) > 0) {
            sb_addn(&b, (const char *)p, n);
            p += n;
        } else {
            sb_printf(&b, "\\x%02x", *p);
            p++;
        }
    }
    return sb_take(&b);
}

void clean_in_place(char **s)
{
    if (!s || !*s)
        return;
    char *c = clean_text(*s);
    free(*s);
    *s = c;
}
