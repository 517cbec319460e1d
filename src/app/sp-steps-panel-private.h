/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "sp-add-step-popover.h"
#include "sp-steps-panel.h"

G_BEGIN_DECLS

/* The steps panel in three parts: the widget, which follows the player and
 * holds the list's actions (sp-steps-panel.c); the rows, what each shows of
 * its step (sp-steps-panel-rows.c); and the editor of a step as JSON
 * (sp-steps-panel-editor.c). Its Add Step menu is a widget of its own
 * (sp-add-step-popover.c). */

typedef enum
{
  STEP_PENDING,
  STEP_RUNNING,
  STEP_PASSED,
  STEP_FAILED,
} StepState;

/* What the panel knows of a step's last run. It hangs on the SpStep itself:
 * the player moves steps within the session as they finish, so an index
 * would soon name another step. */
typedef struct
{
  StepState  state;
  /* The line under the step: its errno and what it means, or why the
   * expectation failed; NULL when there is nothing to say. */
  char      *problem;
} StepStatus;

struct _SpStepsPanel
{
  AdwBin              parent_instance;

  GtkStack           *stack;
  GtkListView        *list_view;
  GtkMenuButton      *add_step_button;
  /* NULL until the Add Step menu is first opened; its button owns it. */
  SpAddStepPopover   *add_step;
  /* NULL until a step is first edited. */
  GtkPopover         *editor;
  GtkTextView        *editor_text;
  GtkLabel           *editor_error;

  SpPlayer           *player;
  GSignalGroup       *player_signals;
  GtkSingleSelection *selection;

  /* The rows on screen, to refresh them when a status changes. */
  GHashTable         *bound_items;
  SpStep             *current;
  SpStep             *last_started;
  SpStep             *editing;
};

/* The widget */

StepStatus         *_sp_steps_panel_step_status          (SpStep             *step);
StepState           _sp_steps_panel_step_get_state       (SpStep             *step);
SpStep             *_sp_steps_panel_get_step             (SpStepsPanel       *self,
                                                          guint               index);
gboolean            _sp_steps_panel_find_step            (SpStepsPanel       *self,
                                                          SpStep             *step,
                                                          guint              *index);
guint               _sp_steps_panel_get_selected         (SpStepsPanel       *self);
void                _sp_steps_panel_select_and_focus     (SpStepsPanel       *self,
                                                          guint               index);
void                _sp_steps_panel_update_actions       (SpStepsPanel       *self);
void                _sp_steps_panel_activate_step        (SpStepsPanel       *self,
                                                          guint               position);

/* Rows */

GtkListItemFactory *_sp_steps_panel_row_factory_new      (SpStepsPanel       *self);
/* Refreshes the rows showing `step`, or every row when it is NULL. */
void                _sp_steps_panel_refresh_rows         (SpStepsPanel       *self,
                                                          SpStep             *step);

/* The editor */

void                _sp_steps_panel_class_editor_init    (GtkWidgetClass     *widget_class);

G_END_DECLS
