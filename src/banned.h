/* banned.h: turns every call of an unsafe libc function into a compile error.
 *
 * The build force-includes this header first in every translation unit of the project
 * (CMakeLists.txt: -include src/banned.h), so no file can forget it. Each function is
 * redeclared with the same prototype as in the C library plus an attribute that makes a call
 * an error naming the replacement; the declarations merge with the system headers' own, so
 * system headers still compile:
 * - clang (14 and later): unavailable(...), checked by the front end. Clang rejects
 *   error(...) here because these are builtins, implicitly declared before this header.
 * - gcc: error(...), checked when the call is emitted, plus deprecated(...), checked by the
 *   front end (an error under the project's -Werror) so a call that _FORTIFY_SOURCE turns
 *   into an inline __builtin___*_chk is refused too.
 * With another compiler the header declares nothing (the layering test still greps).
 * tests/unit/check-compile-fails.py proves a call to sprintf does not compile.
 *
 * Why these functions: strcpy, strcat, sprintf, vsprintf and gets write without a bound;
 * strtok keeps hidden state across calls (not reentrant, not thread safe); gmtime and
 * localtime return a pointer to shared static storage, which the threads of the server
 * would overwrite under each other.
 *
 * A macro (or #pragma GCC poison) would also reject the names inside system headers,
 * which declare them, so the redeclaration is the way that works when force-included.
 *
 * No memory, no state; including it twice is harmless.
 */
#ifndef CC_BANNED_H
#define CC_BANNED_H

#if defined(__GNUC__) || defined(__clang__)

#include <stdarg.h>
#include <time.h>

#ifdef __clang__
#define CC_BANNED(replacement) __attribute__((unavailable("banned function: use " replacement)))
#else
#define CC_BANNED(replacement)                                                                     \
    __attribute__((error("banned function: use " replacement),                                     \
                   deprecated("banned function: use " replacement)))
#endif

#ifdef __cplusplus
extern "C" {
#endif

/* The name is a separate argument so that no line here reads as a call. */
#define CC_BAN(type, name, params, replacement) type name params CC_BANNED(replacement);

CC_BAN(char *, strcpy, (char *__restrict dest, const char *__restrict src), "snprintf or buf")
CC_BAN(char *, strcat, (char *__restrict dest, const char *__restrict src), "snprintf or buf")
CC_BAN(int, sprintf, (char *__restrict s, const char *__restrict fmt, ...), "snprintf")
CC_BAN(int, vsprintf, (char *__restrict s, const char *__restrict fmt, va_list ap), "vsnprintf")
CC_BAN(char *, gets, (char *s), "fgets")
CC_BAN(char *, strtok, (char *__restrict s, const char *__restrict delim), "strtok_r or a scanner")
CC_BAN(struct tm *, gmtime, (const time_t *t), "gmtime_r")
CC_BAN(struct tm *, localtime, (const time_t *t), "localtime_r")

#ifdef __cplusplus
}
#endif

#undef CC_BAN
#undef CC_BANNED

#endif

#endif
