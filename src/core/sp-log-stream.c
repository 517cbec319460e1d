/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n.h>

#include "sp-files-replace.h"
#include "sp-log-stream.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sp-pcapng.h"

/* Bytes gathered before a write: a recv(65536) event is one write, and a
 * burst of small datagrams is not one write each. */
#define FLUSH_AT (256 * 1024)

struct _SpLogStream
{
  char           *path;
  char           *temporary;
  int             fd;
  SpLogFormat     format;
  GByteArray     *buffer;
  GString        *text;          /* one JSON Lines or CSV record */
  SpPcapngWriter *pcapng;
  guint           header_len;    /* the pcapng section header written first */
  GError         *error;
};

static void
set_error (SpLogStream *self,
           int          saved_errno)
{
  if (self->error != NULL)
    return;

  g_set_error (&self->error, G_FILE_ERROR, g_file_error_from_errno (saved_errno),
               _("Could not write %s: %s"), self->path, g_strerror (saved_errno));
}

static void
flush (SpLogStream *self)
{
  if (self->error == NULL && !sp_write_all (self->fd, self->buffer->data, self->buffer->len))
    set_error (self, errno);
  g_byte_array_set_size (self->buffer, 0);
}

/* A hidden temporary beside the output, in the directory a symlink at
 * the output's path is in (the rename replaces the link). */
static int
open_temporary (const char  *path,
                char       **temporary)
{
  g_autofree char *directory = g_path_get_dirname (path);
  g_autofree char *base = g_path_get_basename (path);
  g_autofree char *name = g_strdup_printf (".%s.XXXXXX", base);

  *temporary = g_build_filename (directory, name, NULL);
  return g_mkstemp_full (*temporary, O_WRONLY | O_CLOEXEC, 0644);
}

SpLogStream *
sp_log_stream_new (const char   *path,
                   SpLogFormat   format,
                   GError      **error)
{
  g_autoptr(SpLogStream) self = NULL;

  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  self = g_new0 (SpLogStream, 1);
  self->fd = -1;
  self->path = g_strdup (path);
  self->format = format;
  self->buffer = g_byte_array_sized_new (FLUSH_AT + 256 * 1024);
  self->text = g_string_new (NULL);

  /* An output that cannot be written is known before the run, not after. */
  self->fd = open_temporary (path, &self->temporary);
  if (self->fd < 0)
    {
      set_error (self, errno);
      g_clear_pointer (&self->temporary, g_free);
      g_propagate_error (error, g_steal_pointer (&self->error));
      return NULL;
    }

  if (format == SP_LOG_FORMAT_PCAPNG)
    {
      self->pcapng = sp_pcapng_writer_new ();
      sp_pcapng_writer_write_header (self->pcapng, self->buffer);
      self->header_len = self->buffer->len;
    }
  else
    g_string_append (self->text, sp_log_export_text_header (format));

  return g_steal_pointer (&self);
}

void
sp_log_stream_add (SpLogStream *self,
                   SpEvent     *event,
                   GBytes      *payload)
{
  g_return_if_fail (self != NULL);
  g_return_if_fail (SP_IS_EVENT (event));

  if (self->error != NULL)
    return;

  if (self->pcapng != NULL)
    sp_pcapng_writer_add_event (self->pcapng, event, payload, self->buffer);
  else
    {
      sp_log_export_append_event (self->text, self->format, event, payload);
      g_byte_array_append (self->buffer, (const guint8 *) self->text->str, self->text->len);
      g_string_truncate (self->text, 0);
    }

  if (self->buffer->len >= FLUSH_AT)
    flush (self);
}

/* pcapng's section header says what the capture left out, which the
 * header written at the start could not know. When that changed, the
 * file is written again behind the right header: the kernel copies the
 * packets, and it happens only when a session had UNIX-domain, raw or
 * seqpacket traffic. */
static gboolean
rewrite_header (SpLogStream *self)
{
  g_autoptr(GByteArray) header = g_byte_array_new ();
  g_autofree char *temporary = NULL;
  int fd;
  off_t in_offset = self->header_len;
  struct stat st;

  sp_pcapng_writer_write_header (self->pcapng, header);
  if (header->len == self->header_len)
    return TRUE;

  if (fstat (self->fd, &st) != 0)
    {
      set_error (self, errno);
      return FALSE;
    }

  fd = open_temporary (self->path, &temporary);
  if (fd < 0)
    {
      set_error (self, errno);
      return FALSE;
    }

  if (!sp_write_all (fd, header->data, header->len))
    goto failed;

  /* The old temporary was opened write-only: read it by name. */
  {
    int in = open (self->temporary, O_RDONLY | O_CLOEXEC);

    if (in < 0)
      goto failed;
    while (in_offset < st.st_size)
      {
        ssize_t n = copy_file_range (in, &in_offset, fd, NULL, st.st_size - in_offset, 0);

        if (n < 0 && errno == EINTR)
          continue;
        if (n <= 0)
          {
            int saved_errno = n == 0 ? EIO : errno;

            close (in);
            errno = saved_errno;
            goto failed;
          }
      }
    close (in);
  }

  g_unlink (self->temporary);
  close (self->fd);
  g_free (self->temporary);
  self->temporary = g_steal_pointer (&temporary);
  self->fd = fd;
  return TRUE;

failed:
  set_error (self, errno);
  close (fd);
  g_unlink (temporary);
  return FALSE;
}

gboolean
sp_log_stream_finish (SpLogStream  *self,
                      GError      **error)
{
  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (self->temporary != NULL, FALSE);

  flush (self);
  if (self->error == NULL && self->pcapng != NULL)
    rewrite_header (self);

  if (self->error == NULL && fsync (self->fd) != 0)
    set_error (self, errno);
  if (close (self->fd) != 0)
    set_error (self, errno);
  self->fd = -1;

  if (self->error == NULL && g_rename (self->temporary, self->path) != 0)
    set_error (self, errno);

  if (self->error != NULL)
    {
      g_unlink (self->temporary);
      g_clear_pointer (&self->temporary, g_free);
      g_propagate_error (error, g_steal_pointer (&self->error));
      return FALSE;
    }

  g_clear_pointer (&self->temporary, g_free);
  return TRUE;
}

void
sp_log_stream_free (SpLogStream *self)
{
  if (self == NULL)
    return;

  if (self->fd >= 0)
    close (self->fd);
  if (self->temporary != NULL)
    g_unlink (self->temporary);
  g_free (self->temporary);
  g_free (self->path);
  g_byte_array_unref (self->buffer);
  g_string_free (self->text, TRUE);
  g_clear_pointer (&self->pcapng, sp_pcapng_writer_free);
  g_clear_error (&self->error);
  g_free (self);
}
