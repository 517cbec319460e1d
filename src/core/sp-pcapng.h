/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

#include "sp-traffic-log.h"

G_BEGIN_DECLS

/* The traffic log as a pcapng capture that Wireshark and tshark dissect.
 *
 * The kernel's packets were never captured, so they are synthesized from
 * the log: one Ethernet interface (LINKTYPE_ETHERNET, zero MAC addresses
 * as on Linux's loopback), IPv4 or IPv6 (IPv4-mapped IPv6 endpoints are
 * written as IPv4, as they go on the wire) and TCP or UDP with correct
 * checksums. Each packet carries a comment naming the event it comes
 * from ("event 7: client sendall").
 *
 * TCP, per connection (its two endpoints):
 *  - connect() or accept() (whichever the log has first) writes the
 *    three-way handshake; a connect refused with ECONNREFUSED writes a SYN
 *    and the RST that refused it, when the log knows the client's port
 *    (after a refusal it usually does not, and nothing is written);
 *  - data comes from the sender's SENT events; the receiver's RECEIVED
 *    events carry the same bytes and are used only when the sender is not
 *    in the log (a peer outside the session). Each segment (at most 65495
 *    bytes) is acknowledged at once by the other side, as on loopback, so
 *    sequence and acknowledgement numbers are consistent both ways;
 *  - shutdown(SHUT_WR or SHUT_RDWR) and close() write a FIN, acknowledged
 *    by the peer; close() with received data still unread writes a RST
 *    instead (what Linux does), and a call failing with ECONNRESET writes
 *    the peer's RST;
 *  - an EOF read from a peer that is not in the log writes that peer's FIN.
 * UDP: one datagram per SENT event of a datagram socket (sendto, send),
 * or per RECEIVED event when the sender is not in the log.
 * Timestamps are the events' wall-clock times, in microseconds.
 *
 * A payload the log cap dropped is written with its headers only: the
 * packet's original length counts the payload, its captured length does
 * not (so sequence numbers stay right; its checksum cannot be verified).
 *
 * UNIX-domain sockets have no link type that Wireshark dissects as a
 * conversation, so their traffic is left out, and so is that of raw and
 * seqpacket sockets; the section header's comment says how many data
 * events were left out and why. */

/* The whole log (every appended event), as a pcapng file. Call on the
 * log's thread. */
GBytes         *sp_pcapng_from_log             (SpTrafficLog   *log);

/* The same file written as the events come, which sp_pcapng_from_log
 * uses too: the packets of each event are appended to `out` by
 * sp_pcapng_writer_add_event, with `payload` the event's bytes (NULL for
 * none, or dropped: headers only). The section header that starts the
 * file says what was left out, which is only known at the end:
 * sp_pcapng_writer_write_header writes it as of the events added so far.
 *
 * A sender's SENT events are preferred to its peer's RECEIVED ones once
 * the writer knows the sender's endpoint: from its own earlier events, or
 * from sp_pcapng_writer_learn, given every event first when the whole log
 * is at hand. */
typedef struct _SpPcapngWriter SpPcapngWriter;

SpPcapngWriter *sp_pcapng_writer_new           (void);
void            sp_pcapng_writer_free          (SpPcapngWriter *self);
void            sp_pcapng_writer_learn         (SpPcapngWriter *self,
                                                SpEvent        *event);
void            sp_pcapng_writer_add_event     (SpPcapngWriter *self,
                                                SpEvent        *event,
                                                GBytes         *payload,
                                                GByteArray     *out);
void            sp_pcapng_writer_write_header  (SpPcapngWriter *self,
                                                GByteArray     *out);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SpPcapngWriter, sp_pcapng_writer_free)

G_END_DECLS
