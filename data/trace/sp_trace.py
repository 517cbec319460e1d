# SPDX-License-Identifier: GPL-3.0-or-later
"""Python's socket API traced, at its own level: one sendall is one report
however many send() calls it takes, recv(10) shows its bufsize, connect_ex
gives its errno as its result, accept names the descriptor it returns.

Each call is reported after it returns, as one message on the channel
(src/core/sp-trace-report.h says what a report holds). Reporting never
changes what the program sees: the call's result or exception is passed on
untouched, and once a report fails, no more are sent."""

import base64
import errno as _errno
import json
import os
import socket as _socket_module
import stat
import sys
import time
import types
from _thread import _local

_original_socket = _socket_module.socket
_base = _socket_module.socket.__mro__[1]  # _socket.socket, whose methods report nothing

# The largest report the parent reads (SP_TRACE_REPORT_MAX); base64 grows
# data by a third, and the other members need far less than the margin.
_REPORT_MAX = 256 * 1024
_DATA_MAX = (_REPORT_MAX - 8192) * 3 // 4

_channel = -1
# Set while the tracer's own calls run (a socket's repr asks for its
# addresses), so that they are not taken for the program's.
_quiet = _local()
_program = 'python3'
_data_limit = 4096
# One encoder for every report: json.dumps with arguments makes a new one
# each time, which was a third of a report's cost.
_encoder = json.JSONEncoder(separators=(',', ':'))

_FAMILIES = {
    _socket_module.AF_INET: 'inet',
    _socket_module.AF_INET6: 'inet6',
    _socket_module.AF_UNIX: 'unix',
}
_TYPES = {
    _socket_module.SOCK_STREAM: 'stream',
    _socket_module.SOCK_DGRAM: 'dgram',
}


def _format_address(address):
    """As sp_endpoint_format writes it: 127.0.0.1:5000, [::1]:5000, /path, @name."""
    if address is None:
        return None
    if isinstance(address, tuple):
        if len(address) >= 2 and isinstance(address[0], str):
            host, port = address[0], address[1]
            if ':' in host:
                return f'[{host}]:{port}'
            return f'{host}:{port}'
        return None
    if isinstance(address, bytes):
        if address.startswith(b'\0'):
            return '@' + address[1:].decode('utf-8', 'replace')
        return address.decode('utf-8', 'replace') or None
    if isinstance(address, str):
        if address.startswith('\0'):
            return '@' + address[1:]
        return address or None
    return None


def _send(report):
    global _channel

    if _channel < 0:
        return
    try:
        os.write(_channel, _encoder.encode(report).encode('utf-8'))
    except OSError:
        # The parent went away, or the program closed the channel: stop
        # reporting, and let the program go on as if nothing happened.
        _channel = -1


def _errno_of(exception):
    if isinstance(exception, _socket_module.gaierror):
        return exception.errno if exception.errno is not None else -2
    if isinstance(exception, TimeoutError) and exception.errno is None:
        return _errno.ETIMEDOUT
    if isinstance(exception, OSError) and exception.errno is not None:
        return exception.errno
    return _errno.EINVAL


def _address_of(sock, method):
    try:
        return _format_address(method(sock))
    except (OSError, ValueError, TypeError):
        return None


def _now_us():
    return time.time_ns() // 1000


def _report(sock, call, ok, error_code=0, args=None, result=None, data=None,
            nbytes=None, remote=None, fd=None, **extra):
    if _channel < 0 or getattr(_quiet, 'on', False):
        return
    # Whatever goes wrong here is the tracer's, never the program's.
    try:
        _build_and_send(sock, call, ok, error_code, args, result, data, nbytes, remote, fd,
                        extra)
    except Exception:
        pass


def _build_and_send(sock, call, ok, error_code, args, result, data, nbytes, remote, fd,
                    extra):
    if fd is None:
        fd = sock.fileno() if sock is not None else -1
    if fd == _channel:
        return
    report = {
        'pid': os.getpid(),
        'program': _program,
        'fd': fd,
        'call': call,
        'ok': ok,
        'errno': error_code,
        'time_us': _now_us(),
    }
    if args is not None:
        report['args'] = args
    if result is not None:
        report['result'] = result
    if nbytes is not None:
        report['bytes'] = nbytes
    if data is not None:
        limit = _DATA_MAX if _data_limit < 0 else min(_data_limit, _DATA_MAX)
        report['data'] = base64.b64encode(data[:limit]).decode('ascii')
    if sock is not None and fd >= 0:
        local = _local_of(sock)
        if local is not None:
            report['local'] = local
        if remote is None:
            remote = _remote_of(sock)
        else:
            remote = _format_address(remote)
        if remote is not None:
            report['remote'] = remote
    elif remote is not None:
        report['remote'] = _format_address(remote)
    report.update(extra)
    _send(report)


def _size_of(buffer):
    try:
        return memoryview(buffer).nbytes
    except Exception:
        return 0


def _bytes_of(buffer, count):
    """The first COUNT bytes of what the call sent or filled, at most what
    the report may carry."""
    limit = _DATA_MAX if _data_limit < 0 else min(_data_limit, _DATA_MAX)
    try:
        return bytes(memoryview(buffer).cast('B')[:min(count, limit)])
    except Exception:
        return b''


def _into_args(buffer, args):
    try:
        size = args[0] if args and args[0] else memoryview(buffer).nbytes
    except Exception:
        return None
    return _args(size, *args[1:])


# A socket's addresses are asked for once they can no longer change on
# their own (a local port was given; a peer, or none until connect): two
# system calls, and an exception for every datagram on an unconnected
# socket, were most of the cost of a report. bind, connect and close
# forget them.

def _local_of(sock):
    local = getattr(sock, '_sp_local', None)
    if local is None:
        local = _address_of(sock, _base.getsockname)
        if local is not None and not local.endswith(':0'):
            sock._sp_local = local
    return local


def _remote_of(sock):
    remote = getattr(sock, '_sp_remote', None)
    if remote is None:
        remote = _address_of(sock, _base.getpeername)
        sock._sp_remote = remote if remote is not None else ''
    return remote or None


def _forget_addresses(sock):
    sock._sp_local = None
    sock._sp_remote = None


def _constant(value):
    """socket.AF_INET for an address family, as the program wrote it."""
    name = getattr(value, 'name', None)
    return f'socket.{name}' if name else _repr(value)


def _kind(sock):
    return {
        'family': _FAMILIES.get(sock.family, str(int(sock.family))),
        'type': _TYPES.get(sock.type, str(int(sock.type))),
    }


# The levels and options programs set, by the names they are written with;
# several constants share a number, so the lookup goes by level.
_LEVELS = ('SOL_SOCKET', 'IPPROTO_TCP', 'IPPROTO_IP', 'IPPROTO_IPV6', 'IPPROTO_UDP')
_OPTIONS = {
    'SOL_SOCKET': ('SO_REUSEADDR', 'SO_REUSEPORT', 'SO_BROADCAST', 'SO_KEEPALIVE', 'SO_RCVBUF',
                   'SO_SNDBUF', 'SO_LINGER', 'SO_RCVTIMEO', 'SO_SNDTIMEO', 'SO_OOBINLINE'),
    'IPPROTO_TCP': ('TCP_NODELAY', 'TCP_KEEPIDLE', 'TCP_KEEPINTVL', 'TCP_KEEPCNT'),
    'IPPROTO_IP': ('IP_TTL', 'IP_MULTICAST_TTL', 'IP_MULTICAST_LOOP', 'IP_ADD_MEMBERSHIP'),
    'IPPROTO_IPV6': ('IPV6_V6ONLY', 'IPV6_UNICAST_HOPS'),
}


def _constant_name(value, names):
    """socket.SO_REUSEADDR for 2, as a program would write it."""
    for name in names:
        if getattr(_socket_module, name, None) == value:
            return 'socket.' + name
    return repr(value)


def _setsockopt_args(level, option, values):
    level_name = _constant_name(level, _LEVELS)
    option_name = _constant_name(option, _OPTIONS.get(level_name[len('socket.'):], ()))
    return ', '.join([level_name, option_name] + [repr(v) for v in values])


def _repr(value):
    try:
        return repr(value)
    except Exception:
        return '?'


def _args(*values):
    return ', '.join(_repr(v) for v in values)


class socket(_original_socket):
    """socket.socket, reporting each call after it returns."""

    __slots__ = ('_sp_local', '_sp_remote')

    def __init__(self, family=-1, type=-1, proto=-1, fileno=None):
        try:
            super().__init__(family, type, proto, fileno)
        except Exception as e:
            if fileno is None:
                _report(None, 'socket', False, _errno_of(e), fd=-1)
            raise
        # A socket made from a descriptor (accept's, fromfd's) was made by
        # another call, which reports it.
        if fileno is None:
            args = f'{_constant(self.family)}, {_constant(self.type)}'
            _report(self, 'socket', True, args=args, **_kind(self))

    def _traced(self, call, function, args, *call_args, remote=None, failed_remote=None):
        fd = self.fileno()
        start = _now_us()
        try:
            value = function(self, *call_args)
        except Exception as e:
            # A failed bind is about the address it asked for.
            _report(self, call, False, _errno_of(e), args=args, remote=remote or failed_remote,
                    fd=fd, start_us=start)
            raise
        _report(self, call, True, args=args, remote=remote, fd=fd, result=_repr(value),
                start_us=start)
        return value

    def __repr__(self):
        _quiet.on = True
        try:
            return super().__repr__()
        finally:
            _quiet.on = False

    def setsockopt(self, level, option, *a):
        args = _setsockopt_args(level, option, a)
        return self._traced('setsockopt', _base.setsockopt, args, level, option, *a)

    def bind(self, address):
        _forget_addresses(self)
        return self._traced('bind', _base.bind, _args(address), address,
                            failed_remote=address)

    def listen(self, *a):
        return self._traced('listen', _base.listen, _args(*a), *a)

    def connect(self, address):
        _forget_addresses(self)
        return self._traced('connect', _base.connect, _args(address), address,
                            remote=address)

    def connect_ex(self, address):
        _forget_addresses(self)
        fd = self.fileno()
        start = _now_us()
        try:
            code = _base.connect_ex(self, address)
        except Exception as e:
            _report(self, 'connect_ex', False, _errno_of(e), args=_args(address),
                    remote=address, fd=fd, start_us=start)
            raise
        _report(self, 'connect_ex', True, 0, args=_args(address), remote=address, fd=fd,
                result=_repr(code), nbytes=code, start_us=start)
        return code

    def accept(self):
        fd = self.fileno()
        try:
            conn, address = super().accept()
        except Exception as e:
            _report(self, 'accept', False, _errno_of(e), fd=fd)
            raise
        _report(self, 'accept', True, fd=fd, remote=address,
                result=f'(<socket fd {conn.fileno()}>, {address!r})', new_fd=conn.fileno(),
                **_kind(conn))
        return conn, address

    def _data_out(self, call, function, data, args, *call_args, remote=None, whole=False):
        fd = self.fileno()
        start = _now_us()
        try:
            value = function(self, data, *call_args)
        except Exception as e:
            _report(self, call, False, _errno_of(e), args=args, remote=remote, fd=fd,
                    nbytes=0, start_us=start)
            raise
        sent = _size_of(data) if whole else value
        _report(self, call, True, args=args, remote=remote, fd=fd, nbytes=sent,
                data=_bytes_of(data, sent), result=_repr(value), start_us=start)
        return value

    def send(self, data, *a):
        return self._data_out('send', _base.send, data, _args(*a) if a else None, *a)

    def sendall(self, data, *a):
        return self._data_out('sendall', _base.sendall, data, _args(*a) if a else None, *a,
                              whole=True)

    def sendto(self, data, *a):
        address = a[-1] if a else None
        return self._data_out('sendto', _base.sendto, data, _args(*a), *a, remote=address)

    def _data_in(self, call, function, args, *call_args, into=None, sender=False):
        fd = self.fileno()
        try:
            value = function(self, *call_args)
        except Exception as e:
            _report(self, call, False, _errno_of(e), args=args, fd=fd, nbytes=0)
            raise
        if into is not None:
            count = value[0] if sender else value
            data = _bytes_of(into, count)
        else:
            data = value[0] if sender else value
            count = len(data)
        address = value[1] if sender else None
        _report(self, call, True, args=args, fd=fd, nbytes=count, data=data,
                remote=address if sender else None,
                result=_repr(address) if sender and address is not None else None)
        return value

    def recv(self, bufsize, *a):
        return self._data_in('recv', _base.recv, _args(bufsize, *a), bufsize, *a)

    def recvfrom(self, bufsize, *a):
        return self._data_in('recvfrom', _base.recvfrom, _args(bufsize, *a), bufsize, *a,
                             sender=True)

    # Shown with how many bytes they may take, as recv shows its bufsize.
    def recv_into(self, buffer, *a):
        return self._data_in('recv_into', _base.recv_into, _into_args(buffer, a),
                             buffer, *a, into=buffer)

    def recvfrom_into(self, buffer, *a):
        return self._data_in('recvfrom_into', _base.recvfrom_into, _into_args(buffer, a),
                             buffer, *a, into=buffer, sender=True)

    def shutdown(self, how):
        names = {_socket_module.SHUT_RD: 'socket.SHUT_RD', _socket_module.SHUT_WR: 'socket.SHUT_WR',
                 _socket_module.SHUT_RDWR: 'socket.SHUT_RDWR'}
        return self._traced('shutdown', _base.shutdown, names.get(how, repr(how)), how)

    def getsockname(self):
        return self._traced('getsockname', _base.getsockname, None)

    def getpeername(self):
        return self._traced('getpeername', _base.getpeername, None)

    def close(self):
        fd = self.fileno()
        local = _local_of(self) if fd >= 0 else None
        _forget_addresses(self)
        start = _now_us()
        try:
            super().close()
        except Exception as e:
            if fd >= 0:
                _report(None, 'close', False, _errno_of(e), fd=fd, start_us=start)
            raise
        # Closing a closed socket is no call at all in Python.
        if fd >= 0 and fd != _channel and _channel >= 0:
            report = {'local': local} if local is not None else {}
            _report(None, 'close', True, fd=fd, result='None', start_us=start, **report)


def _wrap_function(name, args_of, result_of=repr):
    function = getattr(_socket_module, name)

    def traced(*a, **kw):
        try:
            value = function(*a, **kw)
        except Exception as e:
            _report(None, name, False, _errno_of(e), args=args_of(*a, **kw))
            raise
        _report(None, name, True, args=args_of(*a, **kw), result=result_of(value))
        return value

    traced.__name__ = function.__name__
    traced.__doc__ = function.__doc__
    traced.__wrapped__ = function
    setattr(_socket_module, name, traced)


def _addrinfo_text(infos):
    """The addresses getaddrinfo found, as the headless output lists them."""
    return ', '.join(repr(info[4]) for info in infos)


def _without_own_frames(tb):
    """The traceback as the program alone would have it: a call that fails
    raises through the tracer's wrapper, which is no frame of the
    program's."""
    kept = []
    while tb is not None:
        if tb.tb_frame.f_code.co_filename != __file__:
            kept.append(tb)
        tb = tb.tb_next
    result = None
    for entry in reversed(kept):
        result = types.TracebackType(result, entry.tb_frame, entry.tb_lasti, entry.tb_lineno)
    return result


def _excepthook(kind, value, tb):
    try:
        seen = set()
        chained = value
        while chained is not None and id(chained) not in seen:
            seen.add(id(chained))
            chained.__traceback__ = _without_own_frames(chained.__traceback__)
            chained = chained.__cause__ or chained.__context__
        tb = _without_own_frames(tb)
    except Exception:
        pass
    sys.__excepthook__(kind, value, tb)


def _keep_channel_in_children():
    """subprocess closes every descriptor but the ones it is told to keep
    (close_fds): the channel is kept too, so that a program the traced one
    starts is followed, as a forked child is. subprocess asks
    _posixsubprocess.fork_exec, a C module's function, by its module's
    name when it starts a child: its fourth argument is the sorted tuple
    of descriptors to keep, from Python 3.8 on."""
    try:
        import _posixsubprocess
    except ImportError:
        return
    fork_exec = _posixsubprocess.fork_exec

    def keeping_channel(*a, **kw):
        if (_channel >= 0 and len(a) > 3 and isinstance(a[3], tuple)
                and _channel not in a[3]):
            a = a[:3] + (tuple(sorted(a[3] + (_channel,))),) + a[4:]
        return fork_exec(*a, **kw)

    _posixsubprocess.fork_exec = keeping_channel


def install():
    global _channel, _program, _data_limit

    try:
        _channel = int(os.environ['SP_TRACE_FD'])
        _data_limit = int(os.environ.get('SP_TRACE_DATA_LIMIT', '4096'))
    except ValueError:
        _channel = -1
        return
    _program = os.environ.get('SP_TRACE_PROGRAM') or 'python3'
    # A Python program that the traced one started inherits the name, and
    # reports under its own (sp-trace-report.h); so does a script run as
    # `--trace -- python3 server.py`, rather than as "python3".
    argv = getattr(sys, 'argv', None) or ['']
    script = os.path.basename(argv[0])
    if script and not script.startswith('-'):
        _program = script

    # A program started by the traced one may inherit the environment and
    # not the descriptor (subprocess closes descriptors by default), and the
    # number may then be another file of its own: report only on the
    # channel itself.
    try:
        if not stat.S_ISSOCK(os.fstat(_channel).st_mode):
            raise OSError
    except OSError:
        _channel = -1
        return

    # A Python that a traced program started (a shell script, a launcher
    # in C) has the preloaded library too, which would report the same
    # calls again at the level of libc: it stands down for this process.
    if 'libsp-trace-preload' in os.environ.get('LD_PRELOAD', ''):
        try:
            import ctypes
            ctypes.CDLL(None).sp_trace_preload_stand_down()
        except (ImportError, OSError, AttributeError):
            pass

    # Everything that makes a socket through the module's name for the
    # class (create_connection, accept, socketpair, fromfd, …) makes a
    # traced one.
    _socket_module.socket = socket
    # Only where the program left Python's own: a hook of its own shows
    # what it chooses.
    if sys.excepthook is sys.__excepthook__:
        sys.excepthook = _excepthook
    _keep_channel_in_children()
    _wrap_function('getaddrinfo', lambda *a, **kw: _args(*a[:2]), _addrinfo_text)
    _wrap_function('gethostbyname', lambda *a, **kw: _args(*a))
    _wrap_function('gethostname', lambda *a, **kw: None)
