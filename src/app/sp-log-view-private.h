/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "sp-log-detail.h"
#include "sp-log-view.h"
#include "sp-row-ramp.h"
#include "sp-traffic-filter.h"

G_BEGIN_DECLS

/* The traffic log in parts: the widget, its filters and its following of
 * new rows (sp-log-view.c); its columns and their cells
 * (sp-log-view-columns.c); which event the detail pane shows, the selected
 * row's or the newest bytes (sp-log-view-selection.c); and export to a file
 * (sp-log-view-export.c). */

#define SP_LOG_VIEW_N_NARROW 4

struct _SpLogView
{
  AdwBin              parent_instance;

  GtkScrolledWindow  *scrolled_window;
  GtkColumnView      *column_view;
  GtkWidget          *placeholder;
  GtkMenuButton      *export_button;
  GMenuModel         *export_menu;
  GtkDropDown        *socket_dropdown;
  GtkDropDown        *kind_dropdown;
  GtkSearchEntry     *search_entry;
  GtkToggleButton    *hex_button;
  GtkDropDown        *time_dropdown;
  GtkToggleButton    *follow_button;
  GtkLabel           *status_label;
  GtkRevealer        *dropped_revealer;
  GtkLabel           *dropped_label;
  SpLogDetail        *detail;

  SpPlayer           *player;
  SpTrafficLog       *log;
  GSignalGroup       *log_signals;
  /* Until a row is selected the pane shows the newest bytes: the log's
   * events up to here were looked at for them, and the timeout that looks
   * at the next ones. */
  guint               newest_scanned;
  guint               newest_id;
  SpTrafficFilter    *filter;
  SpRowRamp          *ramp;
  GtkSingleSelection *selection;
  GtkColumnViewColumn *time_column;
  GtkColumnViewColumn *direction_column;
  GtkColumnViewColumn *call_column;
  /* The columns a narrow log leaves out, first to last, the first
   * n_left_out of them left out now, with the width the log needs for
   * each to come back; the tick callback that fits them to its width. */
  GtkColumnViewColumn *narrow[SP_LOG_VIEW_N_NARROW];
  int                 narrow_widths[SP_LOG_VIEW_N_NARROW];
  guint               n_left_out;
  guint               fit_id;
  GtkStringList      *socket_names;  /* "All Sockets", then the ids */
  char               *search_error;

  /* Scroll to new rows, unless the user scrolled up to read older ones. */
  guint               follow : 1;
  guint               scrolling : 1;
};

/* sp-log-view.c */
void      _sp_log_view_set_follow             (SpLogView      *self,
                                               gboolean        follow);

/* sp-log-view-columns.c */
void      _sp_log_view_add_columns            (SpLogView      *self);
/* Columns as wide as the font makes their text: zoom and presentation
 * mode change it. */
void      _sp_log_view_update_fixed_widths    (SpLogView      *self);
SpLogTime _sp_log_view_get_time_display       (SpLogView      *self);

/* sp-log-view-selection.c */
/* Follows the selection and the log's new events into the detail pane. */
void      _sp_log_view_init_selection         (SpLogView      *self);
/* Selects row `row` of the filtered log and scrolls to it. */
void      _sp_log_view_select_row             (SpLogView      *self,
                                               guint           row);

/* sp-log-view-export.c */
void      _sp_log_view_class_init_export      (GtkWidgetClass *widget_class);

G_END_DECLS
