#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Drive a real interactive bash through a pty, as a user at a terminal.

usage: bash_pty.py COMPLETION_FILE < REQUESTS

bash (no rc files, no inputrc) sources COMPLETION_FILE; then, for each
request line "list<TAB>TEXT" or "tab<TAB>TEXT", types TEXT and then M-?
(possible-completions: the candidates bash lists) or TAB (complete: what
readline inserts into the line), and prints one answer line: the listed
candidates joined by one space, or the inserted text; "" when bash only
rang the bell.  readline splits the words itself, by COMP_WORDBREAKS, which
is what a stand-in for the splitting cannot show.
"""
import os
import pty
import re
import select
import signal
import sys
import time

PROMPT = "PTY-PROMPT$ "


def read_quiet(fd, quiet=0.25, limit=5.0):
    """What fd says until it is quiet for `quiet` seconds (after output)."""
    out, end, last = b"", time.time() + limit, None
    while time.time() < end:
        ready, _, _ = select.select([fd], [], [], 0.05)
        if ready:
            try:
                chunk = os.read(fd, 65536)
            except OSError:
                break
            if not chunk:
                break
            out += chunk
            last = time.time()
        elif last is not None and time.time() - last >= quiet:
            break
    return out.decode(errors="replace")


def clean(text):
    """Drop bells, CRs and terminal control sequences."""
    text = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", text)
    return text.replace("\x07", "").replace("\r", "")


def main():
    comp = sys.argv[1]
    pid, fd = pty.fork()
    if pid == 0:
        os.environ.update(PS1=PROMPT, INPUTRC="/dev/null", TERM="dumb")
        os.execvp("bash", ["bash", "--norc", "--noprofile", "-i"])
    read_quiet(fd)
    os.write(fd, f". '{comp}'\n".encode())
    read_quiet(fd)
    for req in sys.stdin.read().splitlines():
        kind, text = req.split("\t", 1)
        key = b"\x1b?" if kind == "list" else b"\t"
        # C-u empties the line the previous request left
        os.write(fd, b"\x15" + text.encode() + key)
        got = clean(read_quiet(fd))
        got = got[got.find(text) + len(text):] if text in got else ""
        if kind == "list":
            # "\n cand1  cand2\nPROMPT text": the part before the prompt
            got = " ".join(got.split(PROMPT)[0].split())
        print(got, flush=True)
    os.write(fd, b"\x15exit\n")
    read_quiet(fd, limit=1.0)
    if os.waitpid(pid, os.WNOHANG) == (0, 0):
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)


if __name__ == "__main__":
    main()
