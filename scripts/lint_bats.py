#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Find bats assertions that can never fail.

usage: scripts/lint_bats.py FILE...

bats runs a test with errexit: a command that fails ends the test, except
where bash ignores errexit.  Two such places look like assertions but are
not, unless they are the last command of the test (or function), whose
status bats (or the caller) does check:

  [ a ] && [ b ]   a failing left operand of && is ignored: the check is
                   skipped silently.  Write the checks on separate lines.
  ! cmd            a negated pipeline never triggers errexit.  Use
                   `run ! cmd` (bats >= 1.5) or `! cmd || false`.

Flagged: an &&-list whose last operator is && and whose last command is a
test ([, [[, test, ((), and any list whose last pipeline is negated, in the
body of a @test or of a function, anywhere but as the last command at the
top level of that body (inside a loop, an if or a case arm a command is
never "the last": earlier iterations' failures would be lost).  Conditions
(if/while/until, left of && and ||) are not assertions and are not checked.

Each finding is printed as "FILE:LINE: bats: message"; the exit status is 1
when there is one, 2 when a file cannot be parsed.

The parser is a small, conservative reading of bash: words with their
quoting, $(...), ${...}, backquotes, here-documents, comments, and the
compound commands.  It builds no more than the checks need.
"""

import re
import sys

TESTS = ("[", "[[", "test", "((")
RESERVED_END = {"then", "do", "done", "fi", "elif", "else", "esac", "}",
                "in"}


class ParseError(Exception):
    pass


# --- tokens ---------------------------------------------------------------

class Tok:
    __slots__ = ("kind", "text", "line", "quoted")

    def __init__(self, kind, text, line, quoted=False):
        self.kind = kind	# "word", "op", "nl", "eof"
        self.text = text
        self.line = line
        self.quoted = quoted

    def __repr__(self):
        return "%s(%r@%d)" % (self.kind, self.text, self.line)


OPS = ["&&", "||", ";;&", ";;", ";&", "|&", "<<-", "<<<", "<<", ">>", ">&",
       "<&", "&>>", "&>", "<>", ">|", ";", "&", "|", "(", ")", "<", ">"]


class Lexer:
    def __init__(self, text):
        self.s = text
        self.i = 0
        self.line = 1
        self.heredocs = []	# (delimiter, strip_tabs) pending at newline

    def error(self, msg):
        raise ParseError("line %d: %s" % (self.line, msg))

    def peekc(self, k=0):
        j = self.i + k
        return self.s[j] if j < len(self.s) else ""

    def advance(self, n=1):
        for _ in range(n):
            if self.i < len(self.s):
                if self.s[self.i] == "\n":
                    self.line += 1
                self.i += 1

    def skip_single(self):
        # at the opening '
        self.advance()
        while self.peekc() != "'":
            if not self.peekc():
                self.error("unterminated '")
            self.advance()
        self.advance()

    def skip_ansi(self):
        # at $'
        self.advance(2)
        while self.peekc() != "'":
            if not self.peekc():
                self.error("unterminated $'")
            if self.peekc() == "\\":
                self.advance()
            self.advance()
        self.advance()

    def skip_double(self):
        self.advance()
        while self.peekc() != '"':
            c = self.peekc()
            if not c:
                self.error('unterminated "')
            if c == "\\":
                self.advance(2)
            elif c == "$":
                self.skip_dollar(in_double=True)
            elif c == "`":
                self.skip_backquote()
            else:
                self.advance()
        self.advance()

    def skip_backquote(self):
        self.advance()
        while self.peekc() != "`":
            if not self.peekc():
                self.error("unterminated `")
            if self.peekc() == "\\":
                self.advance()
            self.advance()
        self.advance()

    def skip_dollar(self, in_double=False):
        # at $: $(...), $((...)), ${...}, $'...', or a plain $ (in "...",
        # $' and $" are not quotes)
        n = self.peekc(1)
        if n == "(":
            self.advance(2)
            self.skip_parens(1)
        elif n == "{":
            self.advance(2)
            self.skip_braces()
        elif n == "'" and not in_double:
            self.skip_ansi()
        elif n == '"' and not in_double:
            self.advance()
            self.skip_double()
        else:
            self.advance()

    def skip_parens(self, depth):
        # inside $( ... ): shell text up to the matching )
        self.skip_nested("(", ")", depth, "$(")

    def skip_braces(self):
        self.skip_nested("{", "}", 1, "${")

    def skip_nested(self, opener, closer, depth, what):
        while depth:
            c = self.peekc()
            if not c:
                self.error("unterminated " + what)
            if c == "\\":
                self.advance(2)
            elif c == "'":
                self.skip_single()
            elif c == '"':
                self.skip_double()
            elif c == "`":
                self.skip_backquote()
            elif c == "$":
                self.skip_dollar()
            elif c == "#" and opener == "(" and self.i > 0 and \
                    self.s[self.i - 1] in " \t\n":
                while self.peekc() not in ("\n", ""):
                    self.advance()
            else:
                if c == opener:
                    depth += 1
                elif c == closer:
                    depth -= 1
                self.advance()

    def read_heredocs(self):
        # just after a newline: the bodies of the pending here-documents
        for delim, strip in self.heredocs:
            while True:
                if self.i >= len(self.s):
                    self.error("here-document %r not terminated" % delim)
                end = self.s.find("\n", self.i)
                if end < 0:
                    end = len(self.s)
                body = self.s[self.i:end]
                self.advance(end - self.i + 1)
                if (body.lstrip("\t") if strip else body) == delim:
                    break
        self.heredocs = []

    def word(self):
        start, line, quoted = self.i, self.line, False
        while True:
            c = self.peekc()
            if c in ("<", ">") and self.peekc(1) == "(":
                # process substitution <(...) >(...)
                self.advance(2)
                self.skip_parens(1)
                continue
            if not c or c in " \t\n;&|<>()":
                # (( and [[ bodies hold these: only as whole tokens here
                break
            if c == "\\":
                if self.peekc(1) == "\n":
                    self.advance(2)
                    continue
                self.advance(2)
                quoted = True
            elif c == "'":
                self.skip_single()
                quoted = True
            elif c == '"':
                self.skip_double()
                quoted = True
            elif c == "`":
                self.skip_backquote()
            elif c == "$":
                self.skip_dollar()
            else:
                self.advance()
        return Tok("word", self.s[start:self.i], line, quoted)

    def tokens(self):
        out = []
        pending_heredoc = None
        while True:
            c = self.peekc()
            if not c:
                out.append(Tok("eof", "", self.line))
                return out
            if c in " \t":
                self.advance()
                continue
            if c == "\\" and self.peekc(1) == "\n":
                self.advance(2)
                continue
            if c == "#" and (not out or out[-1].kind != "word" or
                             self.s[self.i - 1] in " \t\n;"):
                while self.peekc() not in ("\n", ""):
                    self.advance()
                continue
            if c == "\n":
                out.append(Tok("nl", "\n", self.line))
                self.advance()
                if self.heredocs:
                    self.read_heredocs()
                continue
            if c == "(" and self.peekc(1) == "(" and (
                    not out or out[-1].kind != "word" or
                    out[-1].text == "for"):
                # arithmetic command (( ... )): one word
                line, start = self.line, self.i
                self.advance(2)
                self.skip_parens(2)
                out.append(Tok("word", "((", line))
                out.append(Tok("word", self.s[start + 2:self.i - 2], line))
                out.append(Tok("word", "))", self.line))
                continue
            op = None
            if not (c in "<>" and self.peekc(1) == "("):
                op = next((o for o in OPS
                           if self.s.startswith(o, self.i)), None)
            if op:
                out.append(Tok("op", op, self.line))
                self.advance(len(op))
                if op in ("<<", "<<-"):
                    pending_heredoc = op
                continue
            t = self.word()
            out.append(t)
            if pending_heredoc:
                delim = re.sub(r"""['"\\]""", "", t.text)
                self.heredocs.append((delim, pending_heredoc == "<<-"))
                pending_heredoc = None


# --- parser -----------------------------------------------------------------

class Node:
    def __init__(self, kind, line, **kw):
        self.kind = kind
        self.line = line
        self.__dict__.update(kw)


class Parser:
    """Lists of and-or lists of pipelines of commands.

    AndOr(line, items=[Pipeline], ops=['&&'|'||']); Pipeline(neg, cmds);
    a command is Simple(words) or a compound node.
    """

    def __init__(self, toks):
        self.t = toks
        self.i = 0

    def peek(self, k=0):
        return self.t[min(self.i + k, len(self.t) - 1)]

    def next(self):
        tok = self.peek()
        self.i += 1
        return tok

    def error(self, msg):
        raise ParseError("line %d: %s" % (self.peek().line, msg))

    def is_word(self, text, k=0):
        tok = self.peek(k)
        return tok.kind == "word" and tok.text == text and not tok.quoted

    def expect_word(self, text):
        if not self.is_word(text):
            self.error("expected %r, found %r" % (text, self.peek().text))
        return self.next()

    def skip_nl(self):
        while self.peek().kind == "nl":
            self.next()

    def at_list_end(self, ends):
        tok = self.peek()
        if tok.kind == "eof":
            return True
        if tok.kind == "op" and tok.text in (")", ";;", ";&", ";;&"):
            return True
        return tok.kind == "word" and not tok.quoted and tok.text in ends

    def parse_list(self, ends):
        """and-or lists up to one of the words in ends (not consumed)."""
        items = []
        while True:
            self.skip_nl()
            while self.peek().kind == "op" and self.peek().text == ";":
                self.next()
                self.skip_nl()
            if self.at_list_end(ends):
                return items
            items.append(self.parse_and_or(ends))
            tok = self.peek()
            if tok.kind == "op" and tok.text in (";", "&"):
                self.next()
            elif tok.kind == "nl":
                self.next()

    def parse_and_or(self, ends):
        line = self.peek().line
        items = [self.parse_pipeline(ends)]
        ops = []
        while self.peek().kind == "op" and self.peek().text in ("&&", "||"):
            ops.append(self.next().text)
            self.skip_nl()
            items.append(self.parse_pipeline(ends))
        return Node("andor", line, items=items, ops=ops)

    def parse_pipeline(self, ends):
        line = self.peek().line
        neg = False
        if self.is_word("!"):
            self.next()
            neg = True
        if self.is_word("time"):
            self.next()
        cmds = [self.parse_command(ends)]
        while self.peek().kind == "op" and self.peek().text in ("|", "|&"):
            self.next()
            self.skip_nl()
            cmds.append(self.parse_command(ends))
        return Node("pipeline", line, neg=neg, cmds=cmds)

    def redirections(self):
        while self.peek().kind == "op" and self.peek().text in (
                "<", ">", ">>", ">&", "<&", "&>", "&>>", "<>", ">|",
                "<<", "<<-", "<<<"):
            self.next()
            if self.peek().kind != "word":
                self.error("redirection without a target")
            self.next()

    def parse_command(self, ends):
        tok = self.peek()
        line = tok.line
        if tok.kind == "op" and tok.text == "(":
            self.next()
            body = self.parse_list(set())
            self.expect_op(")")
            self.redirections()
            return Node("subshell", line, body=body)
        if tok.kind != "word":
            self.error("unexpected %r" % tok.text)
        w = tok.text if not tok.quoted else None
        if w == "{":
            self.next()
            body = self.parse_list({"}"})
            self.expect_word("}")
            self.redirections()
            return Node("group", line, body=body)
        if w == "if":
            return self.parse_if()
        if w in ("while", "until"):
            self.next()
            cond = self.parse_list({"do"})
            self.expect_word("do")
            body = self.parse_list({"done"})
            self.expect_word("done")
            self.redirections()
            return Node("loop", line, cond=cond, body=body)
        if w == "for" or w == "select":
            return self.parse_for()
        if w == "case":
            return self.parse_case()
        if w == "function":
            self.next()
            name = self.next().text
            if self.peek().kind == "op" and self.peek().text == "(":
                self.next()
                self.expect_op(")")
            return self.parse_funcbody(name, line)
        if w == "@test":
            self.next()
            name = self.next().text
            return self.parse_funcbody("@test " + name, line, test=True)
        if (not tok.text.endswith("=") and	# name=() is an array
                self.peek(1).kind == "op" and self.peek(1).text == "(" and
                self.peek(2).kind == "op" and self.peek(2).text == ")"):
            name = self.next().text
            self.next()
            self.next()
            return self.parse_funcbody(name, line)
        if w == "((":
            self.next()
            self.next()
            self.expect_word("))")
            self.redirections()
            return Node("simple", line, words=["(("])
        if w == "[[":
            words = []
            while not self.is_word("]]"):
                t = self.next()
                if t.kind == "eof":
                    self.error("unterminated [[")
                words.append(t.text)
            self.next()
            self.redirections()
            return Node("simple", line, words=words)
        return self.parse_simple()

    def expect_op(self, text):
        tok = self.peek()
        if tok.kind != "op" or tok.text != text:
            self.error("expected %r, found %r" % (text, tok.text))
        return self.next()

    def parse_funcbody(self, name, line, test=False):
        self.skip_nl()
        body_cmd = self.parse_command(set())
        if body_cmd.kind in ("group", "subshell"):
            body = body_cmd.body
        else:	# f() while ...; done: one compound command
            pipe = Node("pipeline", line, neg=False, cmds=[body_cmd])
            body = [Node("andor", line, items=[pipe], ops=[])]
        return Node("func", line, name=name, body=body, test=test)

    def parse_simple(self):
        line = self.peek().line
        words = []
        while True:
            tok = self.peek()
            if tok.kind == "word":
                # a reserved word ends the command only in command position
                if not words and tok.text in RESERVED_END and \
                        not tok.quoted:
                    self.error("unexpected %r" % tok.text)
                words.append(self.next().text)
                # name=(array) assignment
                if words[-1].endswith("=") and self.peek().kind == "op" \
                        and self.peek().text == "(":
                    self.next()
                    while not (self.peek().kind == "op" and
                               self.peek().text == ")"):
                        if self.peek().kind == "eof":
                            self.error("unterminated array")
                        self.next()
                    self.next()
            elif tok.kind == "op" and tok.text in (
                    "<", ">", ">>", ">&", "<&", "&>", "&>>", "<>", ">|",
                    "<<", "<<-", "<<<"):
                self.redirections()
            else:
                break
        if not words:
            self.error("empty command before %r" % self.peek().text)
        return Node("simple", line, words=words)

    def parse_if(self):
        line = self.next().line
        conds, bodies = [], []
        conds.append(self.parse_list({"then"}))
        self.expect_word("then")
        bodies.append(self.parse_list({"elif", "else", "fi"}))
        while self.is_word("elif"):
            self.next()
            conds.append(self.parse_list({"then"}))
            self.expect_word("then")
            bodies.append(self.parse_list({"elif", "else", "fi"}))
        if self.is_word("else"):
            self.next()
            bodies.append(self.parse_list({"fi"}))
        self.expect_word("fi")
        self.redirections()
        return Node("if", line, conds=conds, bodies=bodies)

    def parse_for(self):
        line = self.next().line
        if self.is_word("(("):
            self.next()
            self.next()
            self.expect_word("))")
        else:
            self.next()	# the name
            self.skip_nl()
            if self.is_word("in"):
                self.next()
                while self.peek().kind == "word":
                    self.next()
        if self.peek().kind == "op" and self.peek().text == ";":
            self.next()
        self.skip_nl()
        if self.is_word("{"):
            self.next()
            body = self.parse_list({"}"})
            self.expect_word("}")
        else:
            self.expect_word("do")
            body = self.parse_list({"done"})
            self.expect_word("done")
        self.redirections()
        return Node("loop", line, cond=[], body=body)

    def parse_case(self):
        line = self.next().line
        self.next()	# the word
        self.skip_nl()
        self.expect_word("in")
        arms = []
        while True:
            self.skip_nl()
            if self.is_word("esac"):
                self.next()
                break
            if self.peek().kind == "op" and self.peek().text == "(":
                self.next()
            # patterns: words separated by |, then )
            while not (self.peek().kind == "op" and self.peek().text == ")"):
                if self.peek().kind == "eof":
                    self.error("unterminated case pattern")
                self.next()
            self.next()
            arms.append(self.parse_list({"esac"}))
            if self.peek().kind == "op" and self.peek().text in (
                    ";;", ";&", ";;&"):
                self.next()
        self.redirections()
        return Node("case", line, arms=arms)


# --- the checks ---------------------------------------------------------------

def is_test(pipeline):
    if len(pipeline.cmds) != 1 or pipeline.cmds[0].kind != "simple":
        return False
    words = pipeline.cmds[0].words
    return bool(words) and words[0] in TESTS


def check_andor(ao, where, last, found):
    if last:
        return
    tail = ao.items[-1]
    if ao.ops and ao.ops[-1] == "&&" and is_test(tail):
        found.append((ao.line, "&&-joined assertion in %s: a failing left "
                      "operand is ignored; put each check on its own line"
                      % where))
    elif tail.neg and (not ao.ops or ao.ops[-1] == "&&"):
        found.append((ao.line, "bare ! in %s never fails the test: use "
                      "`run ! cmd` or `! cmd || false`" % where))


def walk_list(items, where, top, found):
    """items: a body.  top: these are the top level of a test/function."""
    for n, ao in enumerate(items):
        check_andor(ao, where, top and n == len(items) - 1, found)
        for p in ao.items:
            for c in p.cmds:
                walk_command(c, where, found)


def walk_cond(items, where, found):
    # conditions are not assertions; only compound commands inside matter
    for ao in items:
        for p in ao.items:
            for c in p.cmds:
                walk_command(c, where, found)


def walk_command(c, where, found):
    k = c.kind
    if k == "func":
        what = ("test %s" % c.name[6:]) if c.test else \
            ("function %s" % c.name)
        walk_list(c.body, what, True, found)
    elif k in ("group", "subshell"):
        walk_list(c.body, where, False, found)
    elif k == "loop":
        walk_cond(c.cond, where, found)
        walk_list(c.body, where, False, found)
    elif k == "if":
        for cond in c.conds:
            walk_cond(cond, where, found)
        for body in c.bodies:
            walk_list(body, where, False, found)
    elif k == "case":
        for arm in c.arms:
            walk_list(arm, where, False, found)


def check_file(path):
    with open(path, encoding="utf-8") as f:
        text = f.read()
    parser = Parser(Lexer(text).tokens())
    top = parser.parse_list(set())
    if parser.peek().kind != "eof":
        parser.error("unexpected %r" % parser.peek().text)
    found = []
    # Top-level code of a bats file is not a test: only the functions and
    # tests it defines are checked.
    walk_cond(top, "file", found)
    return sorted(found)


def main(argv):
    if not argv:
        print(__doc__.strip().splitlines()[2], file=sys.stderr)
        return 2
    status = 0
    for path in argv:
        try:
            found = check_file(path)
        except ParseError as e:
            print("%s: bats: cannot parse: %s" % (path, e))
            status = 2
            continue
        except OSError as e:
            print("%s: bats: %s" % (path, e.strerror))
            status = 2
            continue
        for line, msg in found:
            print("%s:%d: bats: %s" % (path, line, msg))
            status = max(status, 1)
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
