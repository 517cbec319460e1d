/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n.h>

#include <string.h>

#include "sp-composer.h"
#include "sp-data.h"
#include "sp-field.h"

/* The preview shows this many bytes; the traffic log shows every byte. */
#define PREVIEW_BYTES 32

enum
{
  MODE_TEXT,
  MODE_HEX,
};

struct _SpComposer
{
  AdwBin          parent_instance;

  GtkDropDown    *mode_dropdown;
  GtkEntry       *data_entry;
  GtkDropDown    *encoding_dropdown;
  GtkStringList  *encodings;
  GtkMenuButton  *repeat_button;
  GtkSpinButton  *count_spin;
  GtkSpinButton  *interval_spin;
  GtkLabel       *preview_label;
  GtkLabel       *error_label;

  /* What the entry makes, NULL while it is not valid. */
  GBytes         *bytes;
};

G_DEFINE_FINAL_TYPE (SpComposer, sp_composer, ADW_TYPE_BIN)

enum {
  PROP_0,
  PROP_VALID,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static gboolean
is_hex (SpComposer *self)
{
  return gtk_drop_down_get_selected (self->mode_dropdown) == MODE_HEX;
}

static const char *
selected_encoding (SpComposer *self)
{
  guint selected = gtk_drop_down_get_selected (self->encoding_dropdown);

  return selected != GTK_INVALID_LIST_POSITION
         ? gtk_string_list_get_string (self->encodings, selected) : "utf-8";
}

static const char *
get_text (SpComposer *self)
{
  return gtk_editable_get_text (GTK_EDITABLE (self->data_entry));
}

static GBytes *
parse (SpComposer  *self,
       GError     **error)
{
  g_autofree char *unescaped = NULL;
  gsize length;

  if (is_hex (self))
    return sp_data_parse_hex (get_text (self), _("Data"), error);

  unescaped = sp_data_parse_escapes (get_text (self), _("Data"), &length, error);
  if (unescaped == NULL)
    return NULL;
  return sp_data_encode (unescaped, length, selected_encoding (self), _("Data"), error);
}

static void
update_preview (SpComposer *self)
{
  g_autofree char *hex = NULL;
  g_autofree char *text = NULL;
  const guint8 *data;
  gsize length;

  if (self->bytes == NULL)
    {
      gtk_label_set_text (self->preview_label, "");
      return;
    }

  data = g_bytes_get_data (self->bytes, &length);
  if (length == 0)
    {
      gtk_label_set_text (self->preview_label, _("no bytes"));
      return;
    }

  hex = sp_data_format_hex (data, MIN (length, PREVIEW_BYTES));
  text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%zu byte: %s%s", "%zu bytes: %s%s",
                                       length),
                          length, hex, length > PREVIEW_BYTES ? " …" : "");
  gtk_label_set_text (self->preview_label, text);
}

static void
update (SpComposer *self)
{
  g_autoptr(GError) error = NULL;
  gboolean was_valid = self->bytes != NULL;

  g_clear_pointer (&self->bytes, g_bytes_unref);
  self->bytes = parse (self, &error);

  sp_field_set_error (GTK_WIDGET (self->data_entry), GTK_WIDGET (self->error_label),
                      error != NULL ? error->message : NULL);
  /* Hex is bytes already: there is nothing to encode. */
  gtk_widget_set_sensitive (GTK_WIDGET (self->encoding_dropdown), !is_hex (self));
  update_preview (self);

  if (was_valid != (self->bytes != NULL))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_VALID]);
}

static void
update_repeat (SpComposer *self)
{
  guint count = gtk_spin_button_get_value_as_int (self->count_spin);
  guint interval = gtk_spin_button_get_value_as_int (self->interval_spin);
  g_autofree char *label = NULL;
  g_autofree char *spoken = NULL;

  /* TRANSLATORS: how many times the composer sends, on its button: "×3" */
  label = g_strdup_printf (_("×%u"), count);
  gtk_menu_button_set_label (self->repeat_button, label);

  if (count == 1)
    spoken = g_strdup (_("Repeat: send once"));
  else if (interval == 0)
    spoken = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "Repeat: send %u time",
                                           "Repeat: send %u times", count),
                              count);
  else
    spoken = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "Repeat: send %u time, %u ms apart",
                                           "Repeat: send %u times, %u ms apart", count),
                              count, interval);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->repeat_button),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, spoken,
                                  -1);
}

static void
sp_composer_get_property (GObject    *object,
                          guint       prop_id,
                          GValue     *value,
                          GParamSpec *pspec)
{
  SpComposer *self = SP_COMPOSER (object);

  switch (prop_id)
    {
    case PROP_VALID:
      g_value_set_boolean (value, sp_composer_get_valid (self));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
sp_composer_dispose (GObject *object)
{
  SpComposer *self = SP_COMPOSER (object);

  g_clear_pointer (&self->bytes, g_bytes_unref);
  adw_bin_set_child (ADW_BIN (self), NULL);
  gtk_widget_dispose_template (GTK_WIDGET (object), SP_TYPE_COMPOSER);

  G_OBJECT_CLASS (sp_composer_parent_class)->dispose (object);
}

static void
sp_composer_class_init (SpComposerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->get_property = sp_composer_get_property;
  object_class->dispose = sp_composer_dispose;

  properties[PROP_VALID] =
    g_param_spec_boolean ("valid", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_PATH "/ui/sp-composer.ui");
  gtk_widget_class_bind_template_child (widget_class, SpComposer, mode_dropdown);
  gtk_widget_class_bind_template_child (widget_class, SpComposer, data_entry);
  gtk_widget_class_bind_template_child (widget_class, SpComposer, encoding_dropdown);
  gtk_widget_class_bind_template_child (widget_class, SpComposer, encodings);
  gtk_widget_class_bind_template_child (widget_class, SpComposer, repeat_button);
  gtk_widget_class_bind_template_child (widget_class, SpComposer, count_spin);
  gtk_widget_class_bind_template_child (widget_class, SpComposer, interval_spin);
  gtk_widget_class_bind_template_child (widget_class, SpComposer, preview_label);
  gtk_widget_class_bind_template_child (widget_class, SpComposer, error_label);
}

static void
sp_composer_init (SpComposer *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  /* "_Data" is its mnemonic; its name is its own, said once. */
  gtk_accessible_reset_relation (GTK_ACCESSIBLE (self->data_entry),
                                 GTK_ACCESSIBLE_RELATION_LABELLED_BY);

  g_signal_connect_swapped (self->data_entry, "changed", G_CALLBACK (update), self);
  g_signal_connect_swapped (self->mode_dropdown, "notify::selected", G_CALLBACK (update), self);
  g_signal_connect_swapped (self->encoding_dropdown, "notify::selected", G_CALLBACK (update),
                            self);
  g_signal_connect_swapped (self->count_spin, "value-changed", G_CALLBACK (update_repeat), self);
  g_signal_connect_swapped (self->interval_spin, "value-changed", G_CALLBACK (update_repeat),
                            self);

  update (self);
  update_repeat (self);
}

GtkWidget *
sp_composer_new (void)
{
  return g_object_new (SP_TYPE_COMPOSER, NULL);
}

gboolean
sp_composer_get_valid (SpComposer *self)
{
  g_return_val_if_fail (SP_IS_COMPOSER (self), FALSE);
  return self->bytes != NULL;
}

GBytes *
sp_composer_get_bytes (SpComposer *self)
{
  g_return_val_if_fail (SP_IS_COMPOSER (self), NULL);
  return self->bytes;
}

void
sp_composer_fill_step (SpComposer *self,
                       SpStep     *step)
{
  const char *encoding = selected_encoding (self);
  g_autofree char *unescaped = NULL;
  gsize unescaped_length = 0;
  guint count;
  guint interval;

  g_return_if_fail (SP_IS_COMPOSER (self));
  g_return_if_fail (SP_IS_STEP (step));
  g_return_if_fail (self->bytes != NULL);

  /* Text is kept as text, so a saved session reads as it was typed; what
   * a C string cannot hold (a NUL) goes as hex. */
  if (!is_hex (self))
    unescaped = sp_data_parse_escapes (get_text (self), "data", &unescaped_length, NULL);

  g_clear_pointer (&step->data, sp_step_data_free);
  if (unescaped != NULL && strlen (unescaped) == unescaped_length)
    step->data = sp_step_data_new_text (unescaped,
                                        g_strcmp0 (encoding, "utf-8") != 0 ? encoding : NULL,
                                        NULL);
  if (step->data == NULL)
    {
      gsize length;
      const guint8 *bytes = g_bytes_get_data (self->bytes, &length);
      g_autofree char *hex = sp_data_format_hex (bytes, length);

      step->data = sp_step_data_new_hex (hex, NULL);
    }

  count = gtk_spin_button_get_value_as_int (self->count_spin);
  interval = gtk_spin_button_get_value_as_int (self->interval_spin);
  if (count > 1)
    {
      step->count = count;
      if (interval > 0)
        step->interval_ms = interval;
    }
}

void
sp_composer_set_text (SpComposer *self,
                      const char *text)
{
  g_return_if_fail (SP_IS_COMPOSER (self));
  gtk_editable_set_text (GTK_EDITABLE (self->data_entry), text);
}

void
sp_composer_set_encoding (SpComposer *self,
                          const char *encoding)
{
  g_return_if_fail (SP_IS_COMPOSER (self));
  g_return_if_fail (encoding != NULL);

  for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (self->encodings)); i++)
    {
      if (g_str_equal (gtk_string_list_get_string (self->encodings, i), encoding))
        {
          gtk_drop_down_set_selected (self->encoding_dropdown, i);
          return;
        }
    }
}
