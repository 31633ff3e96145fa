"""Gunicorn settings of every unit, read with ``-c monosplit_runtime/gunicorn_conf.py``.

Here rather than on the command line because gunicorn ignores the names it
does not know in a configuration file, while an unknown flag stops it: a unit
then starts on the gunicorn the application pins (CTFd 3.8's 23.0, microblog's
21.2) as on the one the runtime is tested with.
"""

#: gunicorn 25.1 and later open a control socket, one per host by default: units would fight
#: over it, and a container's home folder is read-only
control_socket_disable = True
