/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib-object.h>

#include "sp-traffic-log.h"
#include "sp-types.h"

G_BEGIN_DECLS

/* The sequence chart's model: one lane per socket, one row per event of
 * the traffic log (row N is log position N, time flows down), and arrows
 * between lanes for connect → accept, data sent → received, and the close
 * that a peer reads as end of file.
 *
 * It is incremental: sp_sequence_layout_update() reads only the events
 * appended since the last update, and arrows are indexed by tiles of
 * SP_SEQUENCE_LAYOUT_TILE_ROWS rows so that a view finds what a range of
 * rows shows without scanning the whole session. */

#define SP_SEQUENCE_LAYOUT_TILE_ROWS 32

typedef enum
{
  SP_SEQUENCE_MARK_CALL,     /* a lifecycle call that succeeded */
  SP_SEQUENCE_MARK_ERROR,    /* any call that failed: error_code says why */
  SP_SEQUENCE_MARK_SEND,     /* bytes sent: an arrow starts here */
  SP_SEQUENCE_MARK_RECEIVE,  /* bytes received */
  SP_SEQUENCE_MARK_EOF,      /* a receive of 0 bytes: the peer closed */
  SP_SEQUENCE_MARK_NOTE,     /* a note, on no lane */
  SP_SEQUENCE_MARK_DROPPED,  /* the log dropped payloads here */
} SpSequenceMarkKind;

typedef enum
{
  SP_SEQUENCE_ARROW_CONNECT,   /* connect on a client → accept on its listener */
  SP_SEQUENCE_ARROW_DATA,      /* a send on a stream → its first receive */
  SP_SEQUENCE_ARROW_DATAGRAM,  /* a sendto → the recvfrom that took it */
  SP_SEQUENCE_ARROW_EOF,       /* a shutdown or close → the peer's empty receive */
} SpSequenceArrowKind;

typedef struct
{
  SpSequenceMarkKind kind;
  SpCall             call;
  SpState            state;
  int                error_code;
  int                lane;        /* -1: on no lane (notes, gethostname…) */
  int                arrow;       /* the arrow that starts here, -1 if none */
  gint64             time_us;
  gsize              bytes;
  guint              arrives_from_left : 1;   /* arrows end here from a lane on the left */
  guint              arrives_from_right : 1;  /* … or on the right */
} SpSequenceRow;

typedef struct
{
  SpSequenceArrowKind kind;
  guint               position;   /* the log position the arrow starts at */
  guint               from_row;
  guint               to_row;     /* == from_row while in flight */
  int                 from_lane;
  int                 to_lane;    /* -1: the receiver is not (yet) known */
  gsize               bytes;      /* sent (DATA, DATAGRAM) */
  guint               in_flight : 1;  /* nothing has received it yet */
} SpSequenceArrow;

typedef struct
{
  const char   *id;
  int           listener;    /* the lane of the listener that accepted it, or -1 */
  guint         column;      /* left to right */
  SpSocketType  type;
  guint         first_row;   /* where it begins (its first event, or its accept),
                              * G_MAXUINT before either */
  guint         end_row;     /* its close, G_MAXUINT while open */
} SpSequenceLane;

/* Where rows and lanes are, in a view's units. */
typedef struct
{
  double lane_x0;     /* x of column 0's centre */
  double lane_width;  /* from one lane's centre to the next */
  double row_y0;      /* y of row 0's centre */
  double row_height;
} SpSequenceGeometry;

/* What an update changed in rows that already existed. */
typedef struct
{
  guint    first_row;      /* the first old row that looks different, G_MAXUINT if none */
  gboolean lanes_changed;  /* lanes were added or moved */
} SpSequenceDamage;

#define SP_TYPE_SEQUENCE_LAYOUT (sp_sequence_layout_get_type ())

G_DECLARE_FINAL_TYPE (SpSequenceLayout, sp_sequence_layout, SP, SEQUENCE_LAYOUT, GObject)

SpSequenceLayout      *sp_sequence_layout_new              (void);

/* A socket of the player's sockets model: accepted sockets name their
 * listener (NULL otherwise) so that their lane goes next to it. Adding a
 * socket that already has a lane only completes what is known. */
void                   sp_sequence_layout_add_socket       (SpSequenceLayout         *self,
                                                            const char               *id,
                                                            const char               *listener_id,
                                                            SpSocketType              type);
/* Reads the events appended to `log` since the last update. Returns the
 * number of new rows; `damage` (may be NULL) says what changed before them. */
guint                  sp_sequence_layout_update           (SpSequenceLayout         *self,
                                                            SpTrafficLog             *log,
                                                            SpSequenceDamage         *damage);
/* Forgets everything (the log was cleared). */
void                   sp_sequence_layout_reset            (SpSequenceLayout         *self);

guint                  sp_sequence_layout_get_n_rows       (SpSequenceLayout         *self);
const SpSequenceRow   *sp_sequence_layout_get_row          (SpSequenceLayout         *self,
                                                            guint                     row);
guint                  sp_sequence_layout_get_n_lanes      (SpSequenceLayout         *self);
const SpSequenceLane  *sp_sequence_layout_get_lane         (SpSequenceLayout         *self,
                                                            guint                     lane);
/* -1 if no lane has that id. */
int                    sp_sequence_layout_lookup_lane      (SpSequenceLayout         *self,
                                                            const char               *id);
/* The lane shown in `column`. */
guint                  sp_sequence_layout_get_lane_at_column (SpSequenceLayout       *self,
                                                            guint                     column);
guint                  sp_sequence_layout_get_n_arrows     (SpSequenceLayout         *self);
const SpSequenceArrow *sp_sequence_layout_get_arrow        (SpSequenceLayout         *self,
                                                            guint                     arrow);
/* The arrows that cross rows [tile * TILE_ROWS, (tile + 1) * TILE_ROWS). */
const guint           *sp_sequence_layout_get_tile_arrows  (SpSequenceLayout         *self,
                                                            guint                     tile,
                                                            guint                    *n_arrows);

/* Where an arrow is drawn: in flight it points at its receiver's lane (or
 * off its own lane when no receiver is known) just below where it starts. */
void                   sp_sequence_layout_get_arrow_line   (SpSequenceLayout         *self,
                                                            const SpSequenceArrow    *arrow,
                                                            const SpSequenceGeometry *geometry,
                                                            double                   *x1,
                                                            double                   *y1,
                                                            double                   *x2,
                                                            double                   *y2);
/* The log position of the arrow within `tolerance` of (x, y), else of the
 * mark there; FALSE if neither. */
gboolean               sp_sequence_layout_pick             (SpSequenceLayout         *self,
                                                            const SpSequenceGeometry *geometry,
                                                            double                    x,
                                                            double                    y,
                                                            double                    tolerance,
                                                            guint                    *position);

/* Translated text. The short label drawn beside a mark: "recv 11 B",
 * "connect ECONNREFUSED", or NULL when the row's arrow carries it. */
char                  *sp_sequence_layout_get_row_label    (SpSequenceLayout         *self,
                                                            guint                     row);
/* "connect", "send 11 B", "EOF". */
char                  *sp_sequence_layout_get_arrow_label  (SpSequenceLayout         *self,
                                                            guint                     arrow);
/* A sentence: "client sent 11 bytes to conn". */
char                  *sp_sequence_layout_describe_row     (SpSequenceLayout         *self,
                                                            guint                     row);

G_END_DECLS
