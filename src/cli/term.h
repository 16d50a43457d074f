/*
 * term: presentation helpers of the shipworm command: colour only when stdout is a
 * terminal (and NO_COLOR is unset), durations and ages in words ("2m 5s", "12s ago").
 * Formatting only; never reads the clock.
 */
#ifndef SW_CLI_TERM_H
#define SW_CLI_TERM_H

#include <stddef.h>
#include <stdint.h>

/* Decide once whether to colour stdout. */
void sw_term_init(void);
/* Escape sequences, or "" when not colouring. */
const char *sw_term_bold(void);
const char *sw_term_green(void);
const char *sw_term_yellow(void);
const char *sw_term_reset(void);
/* "3d 4h", "2h 5m", "4m 2s", "12s", "450ms" into buf; returns buf. */
char *sw_term_duration(uint64_t ms, char *buf, size_t len);
/* "12s ago", "now"; returns buf. */
char *sw_term_age(uint64_t ms, char *buf, size_t len);
/* "1.5 KiB"-style byte counts; returns buf. */
char *sw_term_bytes(uint64_t n, char *buf, size_t len);

#endif
