/*
 * notify: the systemd notification protocol (sd_notify(3)) written by hand: one datagram
 * to $NOTIFY_SOCKET (a path, or '@' for an abstract socket). A no-op when not run by
 * systemd. Never blocks, never exits.
 */
#ifndef SW_SYS_NOTIFY_H
#define SW_SYS_NOTIFY_H

/* Send "READY=1", "STOPPING=1", "RELOADING=1\nMONOTONIC_USEC=...", "STATUS=text", ...
 * Returns 1 when sent, 0 when NOTIFY_SOCKET is unset, or -errno. */
int sw_notify(const char *state);
int sw_notifyf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
