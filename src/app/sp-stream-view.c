/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n.h>

#include "sp-conversation.h"
#include "sp-data.h"
#include "sp-decode.h"
#include "sp-stream-view.h"
#include "sp-types.h"

/* A conversation longer than this shows its beginning: a text view of
 * millions of paragraphs helps nobody. */
#define MAX_CHUNKS 2000
/* Bytes of one call shown; the hex pane shows them all. */
#define MAX_CHUNK_BYTES 4096

struct _SpStreamView
{
  AdwBin          parent_instance;

  GtkLabel       *summary_label;
  GtkToggleButton *hex_button;
  GtkTextView    *text_view;
  GtkWidget      *placeholder;

  SpTrafficLog   *log;
  guint           position;

  GtkTextTag     *from_a_tag;
  GtkTextTag     *from_b_tag;
  GtkTextTag     *call_tag;
};

G_DEFINE_FINAL_TYPE (SpStreamView, sp_stream_view, ADW_TYPE_BIN)

/* The two directions in Wireshark's colours, readable on light and dark. */
static void
update_colours (SpStreamView *self)
{
  gboolean dark = adw_style_manager_get_dark (adw_style_manager_get_default ());
  GdkRGBA a, b, a_bg, b_bg;

  gdk_rgba_parse (&a, dark ? "#ff7b63" : "#a51d2d");
  gdk_rgba_parse (&b, dark ? "#99c1f1" : "#1a5fb4");
  gdk_rgba_parse (&a_bg, dark ? "rgba(224,27,36,0.16)" : "rgba(224,27,36,0.08)");
  gdk_rgba_parse (&b_bg, dark ? "rgba(53,132,228,0.18)" : "rgba(53,132,228,0.09)");
  g_object_set (self->from_a_tag, "foreground-rgba", &a, "paragraph-background-rgba", &a_bg, NULL);
  g_object_set (self->from_b_tag, "foreground-rgba", &b, "paragraph-background-rgba", &b_bg, NULL);
}

/* One call's bytes as the view shows them. */
static char *
format_bytes (const guint8 *data,
              gsize         length,
              gboolean      hex)
{
  g_autoptr(SpDecoded) decoded = NULL;

  if (hex)
    return sp_data_format_hex (data, length);

  /* Latin-1 maps every byte to one character, so no byte goes missing
   * and the columns of a fixed-width protocol stay put. */
  decoded = sp_decode (data, length, SP_ENCODING_LATIN1, SP_DECODE_STRICT);
  return sp_decode_make_visible (decoded->text, decoded->length, SP_VISIBLE_KEEP_NEWLINES);
}

static char *
describe_call (SpEvent *event)
{
  const char *socket_id = sp_event_get_socket_id (event);
  const char *call = sp_call_to_string (sp_event_get_call (event));
  gsize bytes = sp_event_get_bytes (event);

  if (sp_event_get_kind (event) == SP_EVENT_SENT)
    /* Translators: "client sendall: 40 bytes" */
    return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%s %s: %zu byte",
                                         "%s %s: %zu bytes", bytes),
                            socket_id, call, bytes);

  if (bytes == 0)
    /* Translators: "conn recv: end of stream (the peer closed)" */
    return g_strdup_printf (_("%s %s: end of stream (the peer closed)"), socket_id, call);

  /* Translators: "conn recv(10): 10 bytes" */
  return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%s %s(%s): %zu byte",
                                       "%s %s(%s): %zu bytes", bytes),
                          socket_id, call,
                          sp_event_get_args (event) != NULL ? sp_event_get_args (event) : "",
                          bytes);
}

static void
append_chunk (SpStreamView              *self,
              GtkTextBuffer             *buffer,
              const SpConversationChunk *chunk,
              gboolean                   hex)
{
  g_autoptr(SpEvent) event = sp_traffic_log_get_event (self->log, chunk->position);
  g_autoptr(GBytes) payload = sp_event_get_payload (event);
  g_autofree char *heading = describe_call (event);
  GtkTextTag *side = chunk->from_a ? self->from_a_tag : self->from_b_tag;
  GtkTextIter end;

  gtk_text_buffer_get_end_iter (buffer, &end);
  /* A receive is indented under the send it reads from. */
  gtk_text_buffer_insert_with_tags (buffer, &end, chunk->sent ? "▶ " : "    ◀ ", -1,
                                    side, self->call_tag, NULL);
  gtk_text_buffer_insert_with_tags (buffer, &end, heading, -1, side, self->call_tag, NULL);
  gtk_text_buffer_insert (buffer, &end, "\n", 1);

  if (sp_event_get_payload_dropped (event))
    {
      gtk_text_buffer_insert_with_tags (buffer, &end, _("(bytes dropped by the log limit)"), -1,
                                        side, NULL);
    }
  else if (payload != NULL && g_bytes_get_size (payload) > 0)
    {
      gsize size;
      const guint8 *data = g_bytes_get_data (payload, &size);
      g_autofree char *text = format_bytes (data, MIN (size, MAX_CHUNK_BYTES), hex);

      if (!chunk->sent)
        gtk_text_buffer_insert_with_tags (buffer, &end, "    ", -1, side, NULL);
      gtk_text_buffer_insert_with_tags (buffer, &end, text, -1, side, NULL);
      if (size > MAX_CHUNK_BYTES)
        gtk_text_buffer_insert_with_tags (buffer, &end, " …", -1, side, self->call_tag, NULL);
    }
  else
    {
      return;
    }

  gtk_text_buffer_insert (buffer, &end, "\n", 1);
}

static void
rebuild (SpStreamView *self)
{
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (self->text_view);
  g_autoptr(SpConversation) conversation = NULL;
  gboolean hex = gtk_toggle_button_get_active (self->hex_button);
  g_autofree char *summary = NULL;

  gtk_text_buffer_set_text (buffer, "", 0);

  if (self->log != NULL)
    conversation = sp_conversation_find (self->log, self->position, MAX_CHUNKS);

  gtk_widget_set_visible (self->placeholder, conversation == NULL);
  gtk_widget_set_visible (GTK_WIDGET (self->text_view), conversation != NULL);
  if (conversation == NULL)
    {
      gtk_label_set_text (self->summary_label, "");
      return;
    }

  /* Translators: "A 127.0.0.1:40000 → 40 bytes · B 127.0.0.1:5000 → 11 bytes" */
  summary = g_strdup_printf (_("A %s → %llu B · B %s → %llu B%s"),
                             conversation->endpoint_a,
                             (unsigned long long) conversation->bytes_a_to_b,
                             conversation->endpoint_b,
                             (unsigned long long) conversation->bytes_b_to_a,
                             conversation->truncated ? _(" · first calls only") : "");
  gtk_label_set_text (self->summary_label, summary);

  for (guint i = 0; i < conversation->chunks->len; i++)
    append_chunk (self, buffer, &g_array_index (conversation->chunks, SpConversationChunk, i), hex);
}

static void
sp_stream_view_dispose (GObject *object)
{
  SpStreamView *self = SP_STREAM_VIEW (object);

  gtk_widget_dispose_template (GTK_WIDGET (object), SP_TYPE_STREAM_VIEW);
  g_clear_object (&self->log);

  G_OBJECT_CLASS (sp_stream_view_parent_class)->dispose (object);
}

static void
sp_stream_view_class_init (SpStreamViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = sp_stream_view_dispose;

  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_PATH "/ui/sp-stream-view.ui");
  gtk_widget_class_bind_template_child (widget_class, SpStreamView, summary_label);
  gtk_widget_class_bind_template_child (widget_class, SpStreamView, hex_button);
  gtk_widget_class_bind_template_child (widget_class, SpStreamView, text_view);
  gtk_widget_class_bind_template_child (widget_class, SpStreamView, placeholder);
}

static void
sp_stream_view_init (SpStreamView *self)
{
  GtkTextBuffer *buffer;

  gtk_widget_init_template (GTK_WIDGET (self));
  g_signal_connect_swapped (self->hex_button, "toggled", G_CALLBACK (rebuild), self);

  buffer = gtk_text_view_get_buffer (self->text_view);
  self->from_a_tag = gtk_text_buffer_create_tag (buffer, "from-a", NULL);
  self->from_b_tag = gtk_text_buffer_create_tag (buffer, "from-b", NULL);
  self->call_tag = gtk_text_buffer_create_tag (buffer, "call",
                                               "scale", PANGO_SCALE_SMALL,
                                               "weight", PANGO_WEIGHT_BOLD,
                                               "pixels-above-lines", 6,
                                               NULL);
  update_colours (self);
  g_signal_connect_object (adw_style_manager_get_default (), "notify::dark",
                           G_CALLBACK (update_colours), self, G_CONNECT_SWAPPED);
  rebuild (self);
}

GtkWidget *
sp_stream_view_new (void)
{
  return g_object_new (SP_TYPE_STREAM_VIEW, NULL);
}

void
sp_stream_view_set_event (SpStreamView *self,
                          SpTrafficLog *log,
                          guint         position)
{
  g_return_if_fail (SP_IS_STREAM_VIEW (self));
  g_return_if_fail (log == NULL || SP_IS_TRAFFIC_LOG (log));

  g_set_object (&self->log, log);
  self->position = position;
  rebuild (self);
}

char *
sp_stream_view_get_text (SpStreamView *self)
{
  GtkTextBuffer *buffer;
  GtkTextIter start, end;

  g_return_val_if_fail (SP_IS_STREAM_VIEW (self), NULL);

  buffer = gtk_text_view_get_buffer (self->text_view);
  gtk_text_buffer_get_bounds (buffer, &start, &end);
  return gtk_text_buffer_get_text (buffer, &start, &end, FALSE);
}
