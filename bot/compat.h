/*
 * compat.h: compiler attributes used across the tree.
 *
 * Kept tiny on purpose: attributes that make the compiler check what the
 * comments promise (unused results of appends that can fail, printf formats).
 */
#ifndef PATCHLETTER_COMPAT_H
#define PATCHLETTER_COMPAT_H

#define WARN_UNUSED __attribute__((warn_unused_result))
#define PRINTF_LIKE(fmt, args) __attribute__((format(printf, fmt, args)))
#define NORETURN __attribute__((noreturn))
#define UNUSED __attribute__((unused))

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

#endif
