/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n.h>

#include "sp-data.h"
#include "sp-errno.h"
#include "sp-event-line.h"
#include "sp-log-export.h"

/* How much of a payload a plain output line shows. */
#define PREVIEW_BYTES 72

/* A burst of datagrams prints a line for each, so this path makes no
 * allocation of its own beyond what a line's parts need. */

static void
append_python_str (GString    *line,
                   const char *text)
{
  g_autofree char *repr = sp_data_format_python_string (text != NULL ? text : "");

  g_string_append (line, repr);
}

static void
append_payload (GString *line,
                SpEvent *event)
{
  g_autoptr(GBytes) payload = sp_event_get_payload (event);
  const guint8 *data;
  gsize size;

  if (payload == NULL)
    {
      if (sp_event_get_bytes (event) > 0)
        g_string_append (line, _("<payload dropped by the log cap>"));
      else
        g_string_append (line, "b''");
      return;
    }

  data = g_bytes_get_data (payload, &size);
  sp_data_append_python_bytes (line, data, size, PREVIEW_BYTES);
}

/* "(11 bytes)": like the rest of a plain line, this mirrors Python and is
 * not translated. */
static void
append_count (GString *line,
              gsize    bytes)
{
  g_string_append_printf (line, "(%" G_GSIZE_FORMAT " %s)", bytes, bytes == 1 ? "byte" : "bytes");
}

static void
append_error (GString *line,
              SpEvent *event)
{
  int code = sp_event_get_error_code (event);
  const char *name = sp_errno_name (code);
  g_autofree char *explanation = sp_log_export_explain_event (event);

  /* A failed name lookup raises socket.gaierror, even from connect_ex, and
   * Python's text tells more than the EAI_ name, which follows it. */
  if (sp_errno_is_lookup (code))
    g_string_append_printf (line, "%s [Errno %d] %s (%s)  # %s",
                            sp_errno_python_exception (code), code, sp_errno_message (code),
                            name != NULL ? name : "?", explanation);
  else if (sp_event_get_call (event) == SP_CALL_CONNECT_EX)
    g_string_append_printf (line, "%d (%s)  # %s", code, name != NULL ? name : "?", explanation);
  else if (sp_event_get_kind (event) == SP_EVENT_SENT && sp_event_get_detail (event) != NULL)
    /* A sendall that failed part way: what went, then why it stopped. */
    g_string_append_printf (line, "%s [Errno %d] %s  # %s. %s",
                            sp_errno_python_exception (code), code,
                            name != NULL ? name : sp_errno_message (code),
                            sp_event_get_detail (event), explanation);
  else
    g_string_append_printf (line, "%s [Errno %d] %s  # %s",
                            sp_errno_python_exception (code), code,
                            name != NULL ? name : sp_errno_message (code), explanation);
}

static void
append_result (GString *line,
               SpEvent *event)
{
  const char *detail = sp_event_get_detail (event);
  gsize bytes = sp_event_get_bytes (event);

  if (!sp_event_get_ok (event))
    {
      append_error (line, event);
      return;
    }

  switch (sp_event_get_kind (event))
    {
    case SP_EVENT_SENT:
      if (sp_event_get_call (event) == SP_CALL_SENDALL)
        {
          g_string_append (line, "None ");
          append_count (line, bytes);
        }
      else
        g_string_append_printf (line, "%" G_GSIZE_FORMAT, bytes);
      return;

    case SP_EVENT_RECEIVED:
      /* recvfrom_into returns (nbytes, address), as Python shows it, and the
       * bytes it put in the buffer follow as a comment. Its detail is the
       * sender; a stream has none (Python's None), and at its end of file
       * the detail says so instead. */
      if (sp_event_get_call (event) == SP_CALL_RECVFROM_INTO)
        {
          gboolean eof = bytes == 0 &&
                         g_strcmp0 (detail, _(SP_EVENT_DETAIL_END_OF_FILE)) == 0;

          g_string_append_printf (line, "(%" G_GSIZE_FORMAT ", %s)  # ", bytes,
                                  detail != NULL && !eof ? detail : "None");
          if (eof)
            g_string_append (line, detail);
          else
            {
              g_string_append (line, "buffer: ");
              append_payload (line, event);
            }
          return;
        }
      /* recvfrom's detail is the sender, as Python shows it. */
      if (sp_event_get_call (event) == SP_CALL_RECVFROM && detail != NULL)
        {
          g_string_append_c (line, '(');
          append_payload (line, event);
          g_string_append (line, ", ");
          g_string_append (line, detail);
          g_string_append (line, ") ");
          append_count (line, bytes);
          return;
        }
      append_payload (line, event);
      g_string_append_c (line, ' ');
      append_count (line, bytes);
      if (detail != NULL)
        {
          g_string_append (line, "  # ");
          g_string_append (line, detail);
        }
      return;

    case SP_EVENT_CALL:
      switch (sp_event_get_call (event))
        {
        case SP_CALL_GETHOSTNAME:
        case SP_CALL_GETHOSTBYNAME:
          append_python_str (line, detail);
          return;

        case SP_CALL_GETADDRINFO:
          g_string_append_printf (line, "[%s]", detail != NULL ? detail : "");
          return;

        case SP_CALL_SOCKET:
        case SP_CALL_ACCEPT:
        case SP_CALL_CONNECT_EX:
        case SP_CALL_GETSOCKNAME:
        case SP_CALL_GETPEERNAME:
        case SP_CALL_SERVE:
          g_string_append (line, detail != NULL ? detail : "None");
          return;

        case SP_CALL_SETSOCKOPT:
        case SP_CALL_BIND:
        case SP_CALL_LISTEN:
        case SP_CALL_CONNECT:
        case SP_CALL_SEND:
        case SP_CALL_SENDALL:
        case SP_CALL_SENDTO:
        case SP_CALL_RECV:
        case SP_CALL_RECVFROM:
        case SP_CALL_RECV_INTO:
        case SP_CALL_RECVFROM_INTO:
        case SP_CALL_SHUTDOWN:
        case SP_CALL_CLOSE:
        case SP_CALL_SLEEP:
        case SP_CALL_NOTE:
        case SP_N_CALLS:
        default:
          g_string_append (line, "None");
          return;
        }

    case SP_EVENT_NOTE:
    case SP_EVENT_DROPPED:
    default:
      g_string_append (line, detail != NULL ? detail : "");
      return;
    }
}

static void
append_arguments (GString *line,
                  SpEvent *event)
{
  const char *args = sp_event_get_args (event);

  if (sp_event_get_kind (event) == SP_EVENT_SENT)
    {
      append_payload (line, event);
      if (args != NULL)
        g_string_append (line, ", ");
    }

  if (args != NULL)
    g_string_append (line, args);
}

/* "[0.003] conn  ": the time since the start, rounded to the millisecond as
 * "%.3f" would, and the socket padded to the widest id. */
static void
append_prefix (GString  *line,
               SpEvent  *event,
               int       id_width)
{
  gint64 ms = (sp_event_get_time_us (event) + 500) / 1000;
  const char *socket_id = sp_event_get_socket_id (event);
  gsize start;

  g_string_append_printf (line, "[%" G_GINT64_FORMAT ".%03d] ", ms / 1000, (int) (ms % 1000));
  start = line->len;
  g_string_append (line, socket_id != NULL ? socket_id : "");
  while (line->len - start < (gsize) id_width)
    g_string_append_c (line, ' ');
  g_string_append_c (line, ' ');
}

/* A datagram that leaves without a call of its own (the copy of a
 * duplicated one, a late one) is the network's doing, not the program's:
 * "client network: b'x' to ('127.0.0.1', 5000) (1 byte)  # copy of #12". */
static void
append_network (GString *line,
                SpEvent *event)
{
  const char *args = sp_event_get_args (event);
  const char *remote = sp_event_get_remote (event);
  const char *detail = sp_event_get_detail (event);

  g_string_append (line, "network: ");
  append_payload (line, event);
  g_string_append (line, " to ");
  g_string_append (line, args != NULL ? args : remote != NULL ? remote : "?");
  g_string_append_c (line, ' ');
  if (sp_event_get_ok (event))
    append_count (line, sp_event_get_bytes (event));
  else
    {
      g_string_append (line, "failed: ");
      append_error (line, event);
    }
  g_string_append (line, "  # ");
  g_string_append (line, detail != NULL ? detail : "");
}

void
sp_event_line_append_plain (GString *line,
                            SpEvent *event,
                            int      id_width)
{
  append_prefix (line, event, id_width);

  switch (sp_event_get_kind (event))
    {
    case SP_EVENT_NOTE:
      if (sp_event_get_ok (event))
        g_string_append (line, "# ");
      else
        g_string_append_printf (line, "%s: ", sp_call_to_string (sp_event_get_call (event)));
      append_result (line, event);
      return;

    case SP_EVENT_DROPPED:
      g_string_append (line, "… ");
      append_result (line, event);
      return;

    case SP_EVENT_CALL:
    case SP_EVENT_SENT:
    case SP_EVENT_RECEIVED:
    default:
      {
        SpImpaired impaired = sp_event_get_impaired (event);

        if (impaired == SP_IMPAIRED_COPY || impaired == SP_IMPAIRED_RELEASED)
          {
            append_network (line, event);
            return;
          }

        /* Calls on no socket are the module's own: socket.gethostname().
         * A datagram an impairment took says what became of it. */
        if (sp_event_get_socket_id (event) == NULL)
          g_string_append (line, "socket.");
        g_string_append (line, sp_call_to_string (sp_event_get_call (event)));
        g_string_append_c (line, '(');
        append_arguments (line, event);
        g_string_append (line, ") -> ");
        append_result (line, event);
        if (impaired != SP_IMPAIRED_NONE)
          {
            g_string_append (line, "  # ");
            g_string_append (line, sp_event_get_detail (event));
          }
      }
    }
}
