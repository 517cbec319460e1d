/* SPDX-License-Identifier: GPL-3.0-or-later */
#include <stddef.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include "sp-preload-fds.h"

/* Descriptors up to this are remembered; beyond, they are asked about on
 * every call (programs rarely get there). */
#define TABLE_SIZE 65536

/* A descriptor's byte: KNOWN, and for a reported socket its family and
 * type as small numbers. Zero means "not known yet". */
#define KNOWN        0x80
#define FAMILY_SHIFT 3
#define FAMILY_MASK  0x07
#define TYPE_MASK    0x07

static unsigned char table[TABLE_SIZE];

static const int families[] = { 0, AF_INET, AF_INET6, AF_UNIX };
static const int types[] = { 0, SOCK_STREAM, SOCK_DGRAM, SOCK_SEQPACKET, SOCK_RAW };

static unsigned char
encode (int family,
        int type)
{
  unsigned char f = 0, t = 0;

  for (unsigned char i = 1; i < sizeof families / sizeof families[0]; i++)
    if (families[i] == family)
      f = i;
  for (unsigned char i = 1; i < sizeof types / sizeof types[0]; i++)
    if (types[i] == type)
      t = i;

  return (unsigned char) (KNOWN | (f << FAMILY_SHIFT) | t);
}

static unsigned char
classify (int fd)
{
  struct stat st;
  int family = 0, type = 0;
  socklen_t len;

  /* A descriptor that is not open stays unknown until something opens it. */
  if (fstat (fd, &st) != 0)
    return 0;
  if (!S_ISSOCK (st.st_mode))
    return KNOWN;

  len = sizeof family;
  if (getsockopt (fd, SOL_SOCKET, SO_DOMAIN, &family, &len) != 0)
    return KNOWN;
  len = sizeof type;
  if (getsockopt (fd, SOL_SOCKET, SO_TYPE, &type, &len) != 0)
    type = 0;

  return encode (family, type);
}

int
sp_fds_lookup (int       fd,
               SpFdInfo *info)
{
  unsigned char state;

  if (fd < 0)
    return 0;

  if (fd < TABLE_SIZE)
    {
      state = __atomic_load_n (&table[fd], __ATOMIC_RELAXED);
      if (state == 0)
        {
          state = classify (fd);
          if (state != 0)
            __atomic_store_n (&table[fd], state, __ATOMIC_RELAXED);
        }
    }
  else
    state = classify (fd);

  if (((state >> FAMILY_SHIFT) & FAMILY_MASK) == 0)
    return 0;

  info->family = families[(state >> FAMILY_SHIFT) & FAMILY_MASK];
  info->type = types[state & TYPE_MASK];
  return 1;
}

void
sp_fds_learn (int fd,
              int family,
              int type)
{
  if (fd >= 0 && fd < TABLE_SIZE)
    __atomic_store_n (&table[fd], encode (family, type & ~(SOCK_NONBLOCK | SOCK_CLOEXEC)),
                      __ATOMIC_RELAXED);
}

void
sp_fds_forget (int fd)
{
  if (fd >= 0 && fd < TABLE_SIZE)
    __atomic_store_n (&table[fd], 0, __ATOMIC_RELAXED);
}

void
sp_fds_forget_from (unsigned int first,
                    unsigned int last)
{
  for (unsigned int fd = first; fd <= last && fd < TABLE_SIZE; fd++)
    __atomic_store_n (&table[fd], 0, __ATOMIC_RELAXED);
}

const char *
sp_fds_family_name (int family)
{
  switch (family)
    {
    case AF_INET: return "inet";
    case AF_INET6: return "inet6";
    case AF_UNIX: return "unix";
    default: return NULL;
    }
}

const char *
sp_fds_type_name (int type)
{
  switch (type)
    {
    case SOCK_STREAM: return "stream";
    case SOCK_DGRAM: return "dgram";
    case SOCK_SEQPACKET: return "seqpacket";
    case SOCK_RAW: return "raw";
    default: return NULL;
    }
}
