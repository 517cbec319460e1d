/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n.h>

#include "sp-bytes-format.h"
#include "sp-errno.h"
#include "sp-lazy-menu.h"
#include "sp-log-detail.h"
#include "sp-stream-view.h"
#include "sp-toast.h"
#include "sp-types.h"

/* Bytes shown in the hex dump and the text pane; Copy As takes them all. */
#define MAX_SHOWN_BYTES (256 * 1024)

/* The pane is never too narrow for a dump of this many bytes a line. */
#define NARROWEST_BYTES_PER_LINE 8

struct _SpLogDetail
{
  AdwBin          parent_instance;

  GtkLabel       *title_label;
  GtkMenuButton  *copy_button;
  GMenuModel     *copy_menu;
  GtkStack       *stack;
  GtkTextView    *hex_view;
  GtkWidget      *bytes_placeholder;
  AdwBin         *text_bin;
  /* NULL until the Text page is first shown. */
  GtkTextView    *text_view;
  GtkDropDown    *encoding_dropdown;
  GtkDropDown    *errors_dropdown;
  GtkLabel       *decode_error_label;
  GtkWidget      *text_placeholder;
  AdwBin         *stream_bin;
  /* NULL until the Stream page is first shown. */
  SpStreamView   *stream_view;

  /* What the Text page decodes with, and Copy As "Text": kept here, as the
   * page may not be made yet. */
  SpEncoding      encoding;
  SpDecodeErrors  errors;

  SpTrafficLog   *log;
  guint           position;
  GBytes         *payload;
  SpHexDump      *dump;
  /* Characters of the hex dump's font that fit across the pane (0 until
   * it is laid out). The dump takes as many bytes a line as fit, as GHex
   * and Wireshark do: a line longer than the pane would put the text
   * column out of sight. */
  gsize           hex_chars;
  guint           refit_id;
  /* After a refit, the bytes it selected again, and until when a selection
   * cleared is the primary selection's late notice (reselect_after_refit). */
  guint           reselect_id;
  gsize           reselect_start;
  gsize           reselect_end;
  gint64          reselect_until_us;

  /* The payload bytes selected in the hex dump: [selection_start,
   * selection_end), selected in selection_column. */
  gsize           selection_start;
  gsize           selection_end;
  SpHexDumpColumn selection_column;

  GtkTextTag     *linked_tag;
  GtkTextTag     *error_tag;
  GtkTextTag     *dim_tag;
};

G_DEFINE_FINAL_TYPE (SpLogDetail, sp_log_detail, ADW_TYPE_BIN)

static const guint8 *
shown_bytes (SpLogDetail *self,
             gsize       *length)
{
  gsize size = 0;
  const guint8 *data = self->payload != NULL ? g_bytes_get_data (self->payload, &size) : NULL;

  *length = MIN (size, MAX_SHOWN_BYTES);
  return data;
}

/* Title */

static char *
describe_event (SpEvent *event)
{
  const char *socket_id = sp_event_get_socket_id (event);
  const char *call = sp_call_to_string (sp_event_get_call (event));
  const char *remote = sp_event_get_remote (event);
  gsize bytes = sp_event_get_bytes (event);
  guint seq = sp_event_get_seq (event);

  switch (sp_event_get_kind (event))
    {
    case SP_EVENT_SENT:
      /* Translators: "#12 · client sendall · 11 bytes to 127.0.0.1:5000" */
      return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "#%u · %s %s · %zu byte to %s",
                                           "#%u · %s %s · %zu bytes to %s", bytes),
                              seq, socket_id, call, bytes, remote != NULL ? remote : "?");

    case SP_EVENT_RECEIVED:
      /* Translators: "#13 · conn recv · 11 bytes from 127.0.0.1:40000" */
      return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "#%u · %s %s · %zu byte from %s",
                                           "#%u · %s %s · %zu bytes from %s", bytes),
                              seq, socket_id, call, bytes, remote != NULL ? remote : "?");

    case SP_EVENT_CALL:
    case SP_EVENT_NOTE:
    case SP_EVENT_DROPPED:
    default:
      return g_strdup_printf ("#%u · %s %s", seq, socket_id != NULL ? socket_id : "", call);
    }
}

/* Hex dump */

/* Marks, in the column the user did not select in, the bytes selected. */
static void
mark_linked (SpLogDetail     *self,
             SpHexDumpColumn  selected_column)
{
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (self->hex_view);
  SpHexDumpColumn other = selected_column == SP_HEX_DUMP_HEX ? SP_HEX_DUMP_TEXT : SP_HEX_DUMP_HEX;
  GtkTextIter start, end;

  gtk_text_buffer_get_bounds (buffer, &start, &end);
  gtk_text_buffer_remove_tag (buffer, self->linked_tag, &start, &end);

  /* One range per line: the bytes of a line are contiguous in a column. */
  for (gsize first = self->selection_start; first < self->selection_end; )
    {
      guint per_line = sp_hex_dump_get_bytes_per_line (self->dump);
      gsize line_end = (first / per_line + 1) * per_line;
      gsize last = MIN (line_end, self->selection_end) - 1;
      gsize char_start, char_end, ignored;

      sp_hex_dump_byte_to_chars (self->dump, first, other, &char_start, &ignored);
      sp_hex_dump_byte_to_chars (self->dump, last, other, &ignored, &char_end);
      gtk_text_buffer_get_iter_at_offset (buffer, &start, char_start);
      gtk_text_buffer_get_iter_at_offset (buffer, &end, char_end);
      gtk_text_buffer_apply_tag (buffer, self->linked_tag, &start, &end);
      first = last + 1;
    }
}

/* The byte shown at or next to character `position`, looking `step` (+1
 * or -1) from it, within [lower, upper). */
static gboolean
byte_near (SpHexDump       *dump,
           gsize            position,
           gsize            lower,
           gsize            upper,
           int              step,
           gsize           *offset,
           SpHexDumpColumn *column)
{
  for (gssize i = position; i >= (gssize) lower && i < (gssize) upper; i += step)
    {
      if (sp_hex_dump_char_to_byte (dump, i, offset, column))
        return TRUE;
    }

  return FALSE;
}

static void reselect_if_cleared_by_refit (SpLogDetail *self);

static void
on_hex_mark_set (SpLogDetail   *self,
                 GtkTextIter   *location,
                 GtkTextMark   *mark,
                 GtkTextBuffer *buffer)
{
  GtkTextIter start, end;
  gsize first, last;
  SpHexDumpColumn column = SP_HEX_DUMP_HEX;
  SpHexDumpColumn ignored;

  if (self->dump == NULL ||
      (mark != gtk_text_buffer_get_insert (buffer) &&
       mark != gtk_text_buffer_get_selection_bound (buffer)))
    return;

  self->selection_start = self->selection_end = 0;
  if (gtk_text_buffer_get_selection_bounds (buffer, &start, &end) &&
      byte_near (self->dump, gtk_text_iter_get_offset (&start), gtk_text_iter_get_offset (&start),
                 gtk_text_iter_get_offset (&end), 1, &first, &column) &&
      byte_near (self->dump, gtk_text_iter_get_offset (&end) - 1,
                 gtk_text_iter_get_offset (&start), gtk_text_iter_get_offset (&end), -1,
                 &last, &ignored) &&
      last >= first)
    {
      self->selection_start = first;
      self->selection_end = last + 1;
    }

  self->selection_column = column;
  mark_linked (self, column);
  reselect_if_cleared_by_refit (self);
}

/* Selects the bytes [start, end) in `column` of the dump. */
static void
select_bytes (SpLogDetail     *self,
              gsize            start,
              gsize            end,
              SpHexDumpColumn  column)
{
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (self->hex_view);
  GtkTextIter first, last;
  gsize char_start, char_end, ignored;

  sp_hex_dump_byte_to_chars (self->dump, start, column, &char_start, &ignored);
  sp_hex_dump_byte_to_chars (self->dump, end - 1, column, &ignored, &char_end);
  gtk_text_buffer_get_iter_at_offset (buffer, &first, char_start);
  gtk_text_buffer_get_iter_at_offset (buffer, &last, char_end);
  gtk_text_buffer_select_range (buffer, &first, &last);
}

static guint
fit_bytes_per_line (SpLogDetail *self,
                    gsize        length)
{
  /* Not laid out yet: as wide as a dump can be. */
  if (self->hex_chars == 0)
    return SP_HEX_DUMP_BYTES_PER_LINE;

  return sp_hex_dump_fit_bytes_per_line (length, self->hex_chars);
}

static void
update_hex (SpLogDetail *self)
{
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (self->hex_view);
  gsize length;
  const guint8 *data = shown_bytes (self, &length);

  g_clear_pointer (&self->dump, sp_hex_dump_free);
  self->selection_start = self->selection_end = 0;

  if (data != NULL && length > 0)
    self->dump = sp_hex_dump_new_with_width (data, length, fit_bytes_per_line (self, length));

  /* The mark-set handler reads the dump: set the text with it in place. */
  gtk_text_buffer_set_text (buffer, self->dump != NULL ? sp_hex_dump_get_text (self->dump) : "", -1);
  gtk_widget_set_visible (self->bytes_placeholder, self->dump == NULL);
}

/* On X11 the text view offers its selection as the primary selection.
 * A refit replaces the text and selects the same bytes again, and the
 * notice that the selection before lost the primary one can come after
 * that and clear it: a selection cleared this soon after a refit is
 * selected again. */
#define RESELECT_WINDOW_US (500 * 1000)

static gboolean
reselect_after_refit (gpointer data)
{
  SpLogDetail *self = data;

  self->reselect_id = 0;
  if (self->dump != NULL && self->selection_end == self->selection_start &&
      self->reselect_end <= sp_hex_dump_get_n_bytes (self->dump))
    select_bytes (self, self->reselect_start, self->reselect_end, self->selection_column);
  return G_SOURCE_REMOVE;
}

static void
reselect_if_cleared_by_refit (SpLogDetail *self)
{
  if (self->selection_end == self->selection_start && self->reselect_id == 0 &&
      g_get_monotonic_time () < self->reselect_until_us)
    self->reselect_id = g_idle_add (reselect_after_refit, self);
}

/* The pane changed width: the same bytes, as many a line as now fit, the
 * same ones selected. */
static gboolean
refit_hex (gpointer data)
{
  SpLogDetail *self = data;
  gsize start = self->selection_start;
  gsize end = self->selection_end;
  SpHexDumpColumn column = self->selection_column;

  self->refit_id = 0;
  update_hex (self);
  if (self->dump != NULL && end > start)
    {
      select_bytes (self, start, end, column);
      self->reselect_start = start;
      self->reselect_end = end;
      self->reselect_until_us = g_get_monotonic_time () + RESELECT_WINDOW_US;
    }

  return G_SOURCE_REMOVE;
}

/* The width of a character of the hex dump's font, in Pango units: the
 * font is monospace. Zoom and presentation mode change it. */
static int
get_char_width (SpLogDetail *self)
{
  g_autoptr(PangoLayout) layout = gtk_widget_create_pango_layout (GTK_WIDGET (self->hex_view),
                                                                  "0123456789abcdef");
  int width;

  pango_layout_get_size (layout, &width, NULL);
  return MAX (1, width / 16);
}

/* The room the hex dump's text takes beside its characters. */
static int
hex_margins (SpLogDetail *self)
{
  return gtk_text_view_get_left_margin (self->hex_view) +
         gtk_text_view_get_right_margin (self->hex_view);
}

/* Text */

static void
update_text (SpLogDetail *self)
{
  GtkTextBuffer *buffer;
  g_autoptr(SpDecoded) decoded = NULL;
  g_autofree char *visible = NULL;
  g_autofree char *message = NULL;
  GtkTextIter end;
  gsize length;
  const guint8 *data = shown_bytes (self, &length);

  if (self->text_view == NULL)
    return;

  buffer = gtk_text_view_get_buffer (self->text_view);
  gtk_text_buffer_set_text (buffer, "", 0);
  gtk_widget_set_visible (self->text_placeholder, data == NULL || length == 0);
  gtk_widget_set_visible (GTK_WIDGET (self->decode_error_label), FALSE);
  if (data == NULL || length == 0)
    return;

  decoded = sp_decode (data, length, self->encoding, self->errors);
  visible = sp_decode_make_visible (decoded->text, decoded->length, SP_VISIBLE_KEEP_NEWLINES);
  gtk_text_buffer_get_end_iter (buffer, &end);
  gtk_text_buffer_insert (buffer, &end, visible, -1);

  if (!decoded->failed)
    return;

  /* Where bytes.decode() raises: the bytes it names, then what it never reached. */
  for (gsize i = decoded->error_start; i < decoded->error_end; i++)
    {
      char escaped[5];

      g_snprintf (escaped, sizeof escaped, "\\x%02x", data[i]);
      gtk_text_buffer_insert_with_tags (buffer, &end, escaped, -1, self->error_tag, NULL);
    }

  if (decoded->error_end < length)
    {
      gsize rest = length - decoded->error_end;
      g_autofree char *note =
        g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, " … %zu more byte not decoded",
                                      " … %zu more bytes not decoded", rest),
                         rest);

      gtk_text_buffer_insert_with_tags (buffer, &end, note, -1, self->dim_tag, NULL);
    }

  message = g_strdup_printf ("UnicodeDecodeError: %s", decoded->message);
  gtk_label_set_text (self->decode_error_label, message);
  gtk_widget_set_visible (GTK_WIDGET (self->decode_error_label), TRUE);
}

static void
on_decoding_changed (SpLogDetail *self)
{
  self->encoding = gtk_drop_down_get_selected (self->encoding_dropdown);
  self->errors = gtk_drop_down_get_selected (self->errors_dropdown);
  update_text (self);
}

/* A page that is not shown is still styled and measured; the Bytes page is
 * the one shown at first, so the Text page, with its two drop-downs, is
 * made when it first shows. */
static void
make_text_page (SpLogDetail *self)
{
  g_autoptr(GtkBuilder) builder = gtk_builder_new_from_resource (RESOURCE_PATH
                                                                 "/ui/sp-log-detail-text.ui");
  GtkTextBuffer *buffer;

  self->text_view = GTK_TEXT_VIEW (gtk_builder_get_object (builder, "text_view"));
  self->encoding_dropdown = GTK_DROP_DOWN (gtk_builder_get_object (builder, "encoding_dropdown"));
  self->errors_dropdown = GTK_DROP_DOWN (gtk_builder_get_object (builder, "errors_dropdown"));
  self->decode_error_label = GTK_LABEL (gtk_builder_get_object (builder, "decode_error_label"));
  self->text_placeholder = GTK_WIDGET (gtk_builder_get_object (builder, "text_placeholder"));

  gtk_drop_down_set_selected (self->encoding_dropdown, self->encoding);
  gtk_drop_down_set_selected (self->errors_dropdown, self->errors);
  g_signal_connect_swapped (self->encoding_dropdown, "notify::selected",
                            G_CALLBACK (on_decoding_changed), self);
  g_signal_connect_swapped (self->errors_dropdown, "notify::selected",
                            G_CALLBACK (on_decoding_changed), self);

  buffer = gtk_text_view_get_buffer (self->text_view);
  self->error_tag = gtk_text_buffer_create_tag (buffer, "decode-error",
                                                "foreground", "#e01b24",
                                                "underline", PANGO_UNDERLINE_ERROR,
                                                "weight", PANGO_WEIGHT_BOLD,
                                                NULL);
  self->dim_tag = gtk_text_buffer_create_tag (buffer, "dim", "style", PANGO_STYLE_ITALIC,
                                              "foreground", "#77767b", NULL);

  adw_bin_set_child (self->text_bin, GTK_WIDGET (gtk_builder_get_object (builder, "text_page")));
  update_text (self);
}

/* Copy As */

static void
copy_as (GtkWidget  *widget,
         const char *action_name,
         GVariant   *parameter)
{
  SpLogDetail *self = SP_LOG_DETAIL (widget);
  const char *format = g_variant_get_string (parameter, NULL);
  g_autoptr(GBytes) bytes = sp_log_detail_get_bytes (self);
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  gsize length;
  const guint8 *data;

  if (bytes == NULL)
    return;

  data = g_bytes_get_data (bytes, &length);
  if (g_str_equal (format, "hex"))
    text = sp_bytes_format_as_hex (data, length);
  else if (g_str_equal (format, "python"))
    text = sp_bytes_format_as_python (data, length);
  else if (g_str_equal (format, "c"))
    text = sp_bytes_format_as_c_array (data, length, NULL);
  else
    text = sp_bytes_format_as_text (data, length, self->encoding, self->errors, &error);

  if (text == NULL)
    {
      /* Translators: %s is Python's UnicodeDecodeError message */
      g_autofree char *message = g_strdup_printf (_("Not copied: %s"), error->message);

      sp_toast_show (widget, message);
      return;
    }

  gdk_clipboard_set_text (gtk_widget_get_clipboard (widget), text);
}

/* Stream */

/* The event's whole conversation, shown when the page is. */
static void
update_stream (SpLogDetail *self)
{
  gboolean has_event = self->log != NULL &&
                       self->position < sp_traffic_log_get_n_appended (self->log);

  if (self->stream_view != NULL)
    sp_stream_view_set_event (self->stream_view, has_event ? self->log : NULL, self->position);
}

/* Following a stream reads the log back from its start; the Bytes page is
 * the one shown at first, so the Stream page is made when it first shows. */
static void
on_page_shown (SpLogDetail *self)
{
  const char *page = gtk_stack_get_visible_child_name (self->stack);

  if (self->text_view == NULL && g_strcmp0 (page, "text") == 0)
    make_text_page (self);

  if (self->stream_view != NULL || g_strcmp0 (page, "stream") != 0)
    return;

  self->stream_view = SP_STREAM_VIEW (sp_stream_view_new ());
  adw_bin_set_child (self->stream_bin, GTK_WIDGET (self->stream_view));
  update_stream (self);
}

/* The object */

/* AdwBin lays its child out with a GtkBinLayout; the pane does it itself,
 * to be never narrower than the narrowest dump and to know its width. */
static GtkSizeRequestMode
sp_log_detail_get_request_mode (GtkWidget *widget)
{
  GtkWidget *child = adw_bin_get_child (ADW_BIN (widget));

  return child != NULL ? gtk_widget_get_request_mode (child) : GTK_SIZE_REQUEST_CONSTANT_SIZE;
}

static void
sp_log_detail_measure (GtkWidget      *widget,
                       GtkOrientation  orientation,
                       int             for_size,
                       int            *minimum,
                       int            *natural,
                       int            *minimum_baseline,
                       int            *natural_baseline)
{
  SpLogDetail *self = SP_LOG_DETAIL (widget);
  GtkWidget *child = adw_bin_get_child (ADW_BIN (widget));

  *minimum = *natural = 0;
  *minimum_baseline = *natural_baseline = -1;
  if (child != NULL)
    gtk_widget_measure (child, orientation, for_size, minimum, natural,
                        minimum_baseline, natural_baseline);

  if (orientation == GTK_ORIENTATION_HORIZONTAL)
    {
      /* The characters of the narrowest line (offsets of 4 digits). */
      g_autoptr(SpHexDump) narrowest = sp_hex_dump_new_with_width (NULL, 0,
                                                                   NARROWEST_BYTES_PER_LINE);
      gsize chars = sp_hex_dump_get_line_length (narrowest) - 1;
      int width = PANGO_PIXELS_CEIL (chars * get_char_width (self)) + hex_margins (self);

      *minimum = MAX (*minimum, width);
      *natural = MAX (*natural, *minimum);
    }
}

static void
sp_log_detail_size_allocate (GtkWidget *widget,
                             int        width,
                             int        height,
                             int        baseline)
{
  SpLogDetail *self = SP_LOG_DETAIL (widget);
  GtkWidget *child = adw_bin_get_child (ADW_BIN (widget));
  gsize hex_chars;

  if (child != NULL)
    gtk_widget_allocate (child, width, height, baseline, NULL);

  /* The Bytes page spans the pane, whichever page shows. */
  hex_chars = MAX (0, width - hex_margins (self)) * PANGO_SCALE / get_char_width (self);
  if (hex_chars == self->hex_chars)
    return;

  self->hex_chars = hex_chars;
  /* A new dump changes what the text view measures: not while it is being
   * laid out. */
  if (self->dump != NULL && self->refit_id == 0 &&
      fit_bytes_per_line (self, sp_hex_dump_get_n_bytes (self->dump)) !=
      sp_hex_dump_get_bytes_per_line (self->dump))
    self->refit_id = g_idle_add_full (G_PRIORITY_HIGH_IDLE, refit_hex, self, NULL);
}

static void
sp_log_detail_dispose (GObject *object)
{
  SpLogDetail *self = SP_LOG_DETAIL (object);

  g_clear_handle_id (&self->refit_id, g_source_remove);
  g_clear_handle_id (&self->reselect_id, g_source_remove);

  gtk_widget_dispose_template (GTK_WIDGET (object), SP_TYPE_LOG_DETAIL);
  self->text_view = NULL;
  self->encoding_dropdown = NULL;
  self->errors_dropdown = NULL;
  self->decode_error_label = NULL;
  self->text_placeholder = NULL;
  self->stream_view = NULL;
  g_clear_object (&self->log);

  G_OBJECT_CLASS (sp_log_detail_parent_class)->dispose (object);
}

static void
sp_log_detail_finalize (GObject *object)
{
  SpLogDetail *self = SP_LOG_DETAIL (object);

  g_clear_pointer (&self->payload, g_bytes_unref);
  g_clear_pointer (&self->dump, sp_hex_dump_free);

  G_OBJECT_CLASS (sp_log_detail_parent_class)->finalize (object);
}

static void
sp_log_detail_class_init (SpLogDetailClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = sp_log_detail_dispose;
  object_class->finalize = sp_log_detail_finalize;

  widget_class->get_request_mode = sp_log_detail_get_request_mode;
  widget_class->measure = sp_log_detail_measure;
  widget_class->size_allocate = sp_log_detail_size_allocate;

  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_PATH "/ui/sp-log-detail.ui");
  gtk_widget_class_bind_template_child (widget_class, SpLogDetail, title_label);
  gtk_widget_class_bind_template_child (widget_class, SpLogDetail, stack);
  gtk_widget_class_bind_template_child (widget_class, SpLogDetail, copy_button);
  gtk_widget_class_bind_template_child (widget_class, SpLogDetail, copy_menu);
  gtk_widget_class_bind_template_child (widget_class, SpLogDetail, hex_view);
  gtk_widget_class_bind_template_child (widget_class, SpLogDetail, bytes_placeholder);
  gtk_widget_class_bind_template_child (widget_class, SpLogDetail, text_bin);
  gtk_widget_class_bind_template_child (widget_class, SpLogDetail, stream_bin);

  gtk_widget_class_install_action (widget_class, "detail.copy-as", "s", copy_as);
}

static void
sp_log_detail_init (SpLogDetail *self)
{
  GtkTextBuffer *buffer;

  gtk_widget_set_layout_manager (GTK_WIDGET (self), NULL);
  gtk_widget_init_template (GTK_WIDGET (self));
  sp_lazy_menu_attach (self->copy_button, self->copy_menu);
  g_signal_connect_swapped (self->stack, "notify::visible-child",
                            G_CALLBACK (on_page_shown), self);

  buffer = gtk_text_view_get_buffer (self->hex_view);
  self->linked_tag = gtk_text_buffer_create_tag (buffer, "linked",
                                                 "underline", PANGO_UNDERLINE_DOUBLE,
                                                 "weight", PANGO_WEIGHT_BOLD,
                                                 NULL);
  g_signal_connect_object (buffer, "mark-set", G_CALLBACK (on_hex_mark_set), self,
                           G_CONNECT_SWAPPED);

  sp_log_detail_set_event (self, NULL, 0);
}

GtkWidget *
sp_log_detail_new (void)
{
  return g_object_new (SP_TYPE_LOG_DETAIL, NULL);
}

void
sp_log_detail_set_event (SpLogDetail  *self,
                         SpTrafficLog *log,
                         guint         position)
{
  g_autoptr(SpEvent) event = NULL;
  g_autofree char *title = NULL;

  g_return_if_fail (SP_IS_LOG_DETAIL (self));
  g_return_if_fail (log == NULL || SP_IS_TRAFFIC_LOG (log));

  g_set_object (&self->log, log);
  self->position = position;
  g_clear_pointer (&self->payload, g_bytes_unref);

  if (log != NULL && position < sp_traffic_log_get_n_appended (log))
    event = sp_traffic_log_get_event (log, position);

  if (event != NULL)
    {
      self->payload = sp_event_get_payload (event);
      title = describe_event (event);
    }

  gtk_label_set_text (self->title_label, title != NULL ? title : _("No event selected"));
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "detail.copy-as", self->payload != NULL &&
                                 g_bytes_get_size (self->payload) > 0);
  update_hex (self);
  update_text (self);
  update_stream (self);
}

void
sp_log_detail_set_encoding (SpLogDetail *self,
                            SpEncoding   encoding)
{
  g_return_if_fail (SP_IS_LOG_DETAIL (self));

  self->encoding = encoding;
  if (self->encoding_dropdown != NULL)
    gtk_drop_down_set_selected (self->encoding_dropdown, encoding);
}

void
sp_log_detail_set_errors (SpLogDetail    *self,
                          SpDecodeErrors  errors)
{
  g_return_if_fail (SP_IS_LOG_DETAIL (self));

  self->errors = errors;
  if (self->errors_dropdown != NULL)
    gtk_drop_down_set_selected (self->errors_dropdown, errors);
}

void
sp_log_detail_show_page (SpLogDetail *self,
                         const char  *name)
{
  g_return_if_fail (SP_IS_LOG_DETAIL (self));

  gtk_stack_set_visible_child_name (self->stack, name);
}

void
sp_log_detail_select_bytes (SpLogDetail *self,
                            gsize        start,
                            gsize        end)
{
  g_return_if_fail (SP_IS_LOG_DETAIL (self));
  g_return_if_fail (self->dump != NULL);
  g_return_if_fail (start < end && end <= sp_hex_dump_get_n_bytes (self->dump));

  select_bytes (self, start, end, SP_HEX_DUMP_HEX);
}

GBytes *
sp_log_detail_get_bytes (SpLogDetail *self)
{
  g_return_val_if_fail (SP_IS_LOG_DETAIL (self), NULL);

  if (self->payload == NULL || g_bytes_get_size (self->payload) == 0)
    return NULL;

  if (self->selection_end > self->selection_start)
    return g_bytes_new_from_bytes (self->payload, self->selection_start,
                                   self->selection_end - self->selection_start);

  return g_bytes_ref (self->payload);
}
