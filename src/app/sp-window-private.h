/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "sp-caption.h"
#include "sp-code-view.h"
#include "sp-lifecycle-view.h"
#include "sp-log-view.h"
#include "sp-observed-sockets.h"
#include "sp-sequence-view.h"
#include "sp-socket-page.h"
#include "sp-recording.h"
#include "sp-steps-panel.h"
#include "sp-window.h"

G_BEGIN_DECLS

struct _SpWindow
{
  AdwApplicationWindow  parent_instance;

  AdwToastOverlay      *toast_overlay;
  AdwWindowTitle       *window_title;
  GtkMenuButton        *presets_button;
  GtkWidget            *presentation_button;
  /* Menus given to their buttons when first opened (sp-window-menus.c). */
  GtkMenuButton        *speed_button;
  GMenuModel           *speed_menu;
  GtkMenuButton        *socket_menu_button;
  GMenuModel           *socket_menu;
  GtkLabel             *progress_label;
  GtkListBox           *socket_list;
  GtkStack             *page_stack;
  GtkBox               *socket_box;
  /* Made when a socket is first shown (sp-window.c); NULL until then. */
  SpSocketPage         *socket_page;
  /* The page of a traced program's socket (sp-window-observed.c), made
   * when one is first shown; NULL until then. */
  GtkWidget            *observed_page;
  SpLifecycleView      *lifecycle_view;
  AdwViewStack         *panel_stack;
  AdwViewSwitcher      *panel_switcher;
  SpStepsPanel         *steps_panel;
  SpCodeView           *code_view;
  SpLogView            *log_view;
  /* The Sequence panel's chart, made when that page is first shown
   * (sp-window.c); NULL until then. */
  AdwBin               *sequence_bin;
  SpSequenceView       *sequence_view;
  /* The Programs panel's tabs, made when the first program runs
   * (sp-window-programs.c); NULL until then. */
  AdwTabView           *program_tabs;
  /* Every call the programs made, for "Save as Session"; made with the
   * first program. */
  SpRecording          *program_recording;
  /* Presentation mode (sp-window-presentation.c) */
  GtkMenuButton        *primary_menu_button;
  /* Given to its button when first opened (sp-window-menus.c). */
  GMenuModel           *primary_menu;
  GMenu                *file_section;
  GtkWidget            *sidebar;
  AdwFlap              *sidebar_flap;
  AdwFlap              *panels_flap;
  GtkWidget            *panels_box;
  GtkLabel             *diagram_title;
  SpCaption            *caption;

  SpSession            *session;
  SpTrafficLog         *log;
  SpPlayer             *player;
  GSignalGroup         *session_signals;
  GSignalGroup         *steps_signals;
  GSignalGroup         *sockets_signals;
  GSignalGroup         *player_signals;
  /* The player's live sockets. */
  GSignalGroup         *live_signals;
  /* The sockets of the programs run from the window, and their rows in
   * the sidebar: id → row, and how many programs and sockets have one. */
  SpObservedSockets    *observed;
  GHashTable           *observed_rows;
  guint                 observed_programs_shown;
  guint                 observed_sockets_shown;

  /* Where the session was loaded from or saved to; NULL for a new one. */
  GFile                *file;
  char                 *selected_id;
  guint                 step_delay_ms;
  guint                 rebuild_id;
  /* The open "Connect beyond this computer?" question, if any. */
  AdwMessageDialog     *remote_dialog;

  /* The application's settings; NULL without the schema (some tests). */
  GSettings            *settings;
  double                zoom;
  /* In the main menu; NULL until the menu is first opened. */
  GtkWidget            *zoom_control;
  /* Space, the arrows and Escape, on only in presentation mode. */
  GtkEventController   *presentation_keys;
  /* Whether the panels were shown before presentation mode. */
  gboolean              normal_panels_revealed;
  /* Places the diagram and the panels once a resize is laid out (a
   * handler of the frame clock's "after-paint"). */
  gulong                divider_id;
  /* Says the title and the progress the short way, or the long way, once
   * the sidebar folded or unfolded (sp-window.c). */
  guint                 fold_id;
  /* Going back a step replays up to this position, one step at a time. */
  guint                 replay_target;
  guint                 replay_id;

  guint                 dirty : 1;
  guint                 closing : 1;
  guint                 rebuilding : 1;
  guint                 presentation : 1;
  guint                 replaying : 1;
};

/* What to do once unsaved changes were saved or discarded. */
typedef void (*SpWindowContinuation) (SpWindow *self,
                                      gpointer  data);

void     _sp_window_add_actions        (SpWindow             *self);
/* The player's "confirm-remote": asks, without blocking, and answers the
 * player that asked. */
gboolean _sp_window_confirm_remote     (SpWindow             *self,
                                        guint                 index,
                                        GSocketAddress       *address,
                                        SpPlayer             *player);
/* The player's "confirm-lookup", asked as "confirm-remote" is. */
gboolean _sp_window_confirm_lookup     (SpWindow             *self,
                                        guint                 index,
                                        const char           *host,
                                        SpPlayer             *player);
void     _sp_window_update_actions     (SpWindow             *self);
/* Enables or disables the window action `name`. */
void     _sp_window_set_action_enabled (SpWindow           *self,
                                        const char         *name,
                                        gboolean            enabled);
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
/* Shows socket `id` as a click on its row does, once the row exists. */
void     _sp_window_show_socket        (SpWindow             *self,
                                        const char           *id);

/* sp-window-sidebar.c: the sockets in the sidebar */
GtkListBoxRow *_sp_window_find_socket_row   (SpWindow             *self,
                                             const char           *id);
/* The row's subtitle and what a screen reader says, from the socket now. */
void     _sp_window_update_socket_row  (SpWindow             *self,
                                        GtkWidget            *row);
void     _sp_window_update_socket_rows (SpWindow             *self);
void     _sp_window_rebuild_socket_list (SpWindow            *self);
/* The log's socket filter offers the sockets the sidebar lists, in its order. */
void     _sp_window_update_log_sockets (SpWindow             *self);
/* Many changes come at once (a restart closes every socket): rebuild once. */
void     _sp_window_queue_rebuild      (SpWindow             *self);
void     _sp_window_on_row_selected    (GtkListBox           *list,
                                        GtkListBoxRow        *row,
                                        SpWindow             *self);

/* sp-window-observed.c: traced programs' sockets in the sidebar, and their page */
void     _sp_window_init_observed      (SpWindow             *self);
gboolean _sp_window_is_observed        (SpWindow             *self,
                                        const char           *id);
/* Called by a rebuild once the session's rows are in. */
void     _sp_window_append_observed_rows (SpWindow           *self);
/* FALSE when `row` is not a traced program's or its socket's. */
gboolean _sp_window_update_observed_row (SpWindow            *self,
                                         GtkWidget           *row);
/* Shows the page of observed socket `id`, or hides it for NULL. */
void     _sp_window_show_observed_page (SpWindow             *self,
                                        const char           *id);
/* The socket page or the observed one, as the selection and presentation
 * mode say. */
void     _sp_window_update_page_visibility (SpWindow         *self);

/* sp-window-menus.c: the presets menu, the main menu and its keys */
void     _sp_window_class_init_menus   (GtkWidgetClass       *widget_class);
void     _sp_window_init_menus         (SpWindow             *self);

/* sp-window-presentation.c */
void     _sp_window_init_presentation  (SpWindow             *self);
void     _sp_window_set_presentation   (SpWindow             *self,
                                        gboolean              presentation);
void     _sp_window_set_fullscreen     (SpWindow             *self,
                                        gboolean              fullscreen);
/* The next step; while going back, one step less far back. */
void     _sp_window_step_forward       (SpWindow             *self);
/* Restarts and replays up to the step before the one shown, from the
 * main loop, one step at a time. */
void     _sp_window_step_back          (SpWindow             *self);
gboolean _sp_window_can_step_back      (SpWindow             *self);
/* Stops going back where the replay is; user's replay controls call it. */
void     _sp_window_cancel_replay      (SpWindow             *self);

/* sp-window-programs.c: programs run with their sockets watched */
void     _sp_window_init_programs      (SpWindow             *self);
/* sp-window-files.c: new, open, save, export; what the file choosers
 * show of the folders */
void     _sp_window_add_file_actions   (SpWindow             *self);
GtkFileFilter *_sp_window_session_filter (void);
/* A chooser to save a session in, modal, suggesting `title` as its name. */
GtkFileChooserNative *_sp_window_new_save_chooser (SpWindow   *self,
                                                   const char *heading,
                                                   const char *title);

/* sp-window-settings.c: zoom, animations, encodings, recent sessions */
void     _sp_window_init_settings      (SpWindow             *self);
/* The socket page, made after the window, follows the settings from then on. */
void     _sp_window_init_socket_page_settings (SpWindow *self);
void     _sp_window_set_zoom           (SpWindow             *self,
                                        double                zoom);
void     _sp_window_add_recent         (SpWindow             *self,
                                        GFile                *file);
/* Opens a recent session, or drops it from the list if it is gone. */
void     _sp_window_open_recent        (SpWindow             *self,
                                        const char           *uri);

G_END_DECLS
