/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "sp-decode.h"
#include "sp-player.h"

G_BEGIN_DECLS

#define SP_TYPE_LOG_VIEW (sp_log_view_get_type ())

G_DECLARE_FINAL_TYPE (SpLogView, sp_log_view, SP, LOG_VIEW, AdwBin)

/* The traffic log: one row per event (number, time, socket, direction,
 * call, bytes, peer, preview), filtered by socket, by kind and by text or
 * hex bytes, following new rows unless the user scrolled up; the selected
 * row's bytes in the detail pane (SpLogDetail); export to a file. */

typedef enum
{
  SP_LOG_TIME_RELATIVE,  /* seconds since the session started */
  SP_LOG_TIME_WALL,      /* the clock on the wall */
} SpLogTime;

GtkWidget *sp_log_view_new            (void);
/* NULL clears the log. */
void       sp_log_view_set_player     (SpLogView   *self,
                                       SpPlayer    *player);
/* The ids the socket filter offers, in order. */
void       sp_log_view_set_socket_ids (SpLogView          *self,
                                       const char * const *ids);
/* Shows only the events of one socket; NULL shows every event. */
void       sp_log_view_set_socket_id  (SpLogView   *self,
                                       const char  *socket_id);
/* A text search, or a hex one ("48 65 6c"); "" ends the search. */
void       sp_log_view_set_search     (SpLogView   *self,
                                       const char  *text,
                                       gboolean     hex);
/* The encoding the detail pane decodes text with. */
void       sp_log_view_set_encoding   (SpLogView   *self,
                                       SpEncoding   encoding);
/* Puts the keyboard in the search entry. */
void       sp_log_view_focus_search   (SpLogView   *self);
/* Selects the first event of step `index` and scrolls to it. */
void       sp_log_view_select_step    (SpLogView   *self,
                                       guint        index);
/* Selects the event at `position` in the log, clearing the filters if
 * they hide it, and scrolls to it. */
void       sp_log_view_select_event   (SpLogView   *self,
                                       guint        position);
/* The log position of the selected row, G_MAXUINT when none. */
guint      sp_log_view_get_selected   (SpLogView   *self);

G_END_DECLS
