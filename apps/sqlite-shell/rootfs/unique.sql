-- SPDX-License-Identifier: MIT
-- The shell's error test (tests/sqlite.sh): a UNIQUE violation under .bail ends the shell with
-- SQLite's error and a non-zero status; the last SELECT never runs.
.bail on
CREATE TABLE t(k TEXT UNIQUE);
INSERT INTO t VALUES ('a');
SELECT 'first insert done';
INSERT INTO t VALUES ('a');
SELECT 'not reached';
