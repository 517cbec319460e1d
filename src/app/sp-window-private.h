/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "sp-code-view.h"
#include "sp-lifecycle-view.h"
#include "sp-log-view.h"
#include "sp-sequence-view.h"
#include "sp-socket-page.h"
#include "sp-steps-panel.h"
#include "sp-window.h"

G_BEGIN_DECLS

struct _SpWindow
{
  AdwApplicationWindow  parent_instance;

  AdwToastOverlay      *toast_overlay;
  AdwWindowTitle       *window_title;
  GtkMenuButton        *presets_button;
  GtkLabel             *progress_label;
  GtkListBox           *socket_list;
  GtkStack             *page_stack;
  SpSocketPage         *socket_page;
  SpLifecycleView      *lifecycle_view;
  AdwViewStack         *panel_stack;
  SpStepsPanel         *steps_panel;
  SpCodeView           *code_view;
  SpLogView            *log_view;
  SpSequenceView       *sequence_view;

  SpSession            *session;
  SpTrafficLog         *log;
  SpPlayer             *player;
  GSignalGroup         *session_signals;
  GSignalGroup         *steps_signals;
  GSignalGroup         *sockets_signals;
  GSignalGroup         *player_signals;

  /* Where the session was loaded from or saved to; NULL for a new one. */
  GFile                *file;
  char                 *selected_id;
  guint                 step_delay_ms;
  guint                 rebuild_id;

  guint                 dirty : 1;
  guint                 closing : 1;
  guint                 rebuilding : 1;
};

/* What to do once unsaved changes were saved or discarded. */
typedef void (*SpWindowContinuation) (SpWindow *self,
                                      gpointer  data);

void     _sp_window_add_actions        (SpWindow             *self);
void     _sp_window_update_actions     (SpWindow             *self);
/* Runs `then` at once if nothing is unsaved, else after asking. `data` is
 * freed with `destroy` either way. */
void     _sp_window_confirm_discard    (SpWindow             *self,
                                        SpWindowContinuation  then,
                                        gpointer              data,
                                        GDestroyNotify        destroy);
void     _sp_window_set_session        (SpWindow             *self,
                                        SpSession            *session,
                                        GFile                *file);
void     _sp_window_set_dirty          (SpWindow             *self,
                                        gboolean              dirty);
void     _sp_window_toast              (SpWindow             *self,
                                        const char           *message);
void     _sp_window_select_socket      (SpWindow             *self,
                                        const char           *id);

G_END_DECLS
